"""The public reads scores with their explanation, repair ratios, timeliness and the indicator
scorecard over HTTP, without a token, right after departments record facts (embedded runner)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings

TODAY = date(2025, 11, 20)
TAX = make_uscc("1", "1", "110000", "00001312")
ACME = "91110000600037341L"
OTHER = "9144030071526726XG"
PERSON_ID = "11010519491231002X"
TOKENS = {"tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"}}


@dataclass
class City:
    client: TestClient
    position: int = 0

    def record(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers={"Authorization": "Bearer tok-tax"})
        assert response.status_code in (200, 201), response.text
        self.position = max(self.position, response.json()["position"])
        return dict(response.json())

    def read(self, path: str, status: int = 200, **params: Any) -> dict[str, Any]:
        """A public read (no token) that waits for the views to include every write so far."""
        response = self.client.get(path, params={"min_position": self.position} | params)
        assert response.status_code == status, response.text
        return dict(response.json())


@pytest.fixture
def city(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[City]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens)
    runtime = bootstrap(settings, clock=lambda: TODAY, relay=False)
    with TestClient(create_app(runtime)) as client:
        yield City(client)


def facts(city: City) -> str:
    """ACME: a permit, a late general penalty and a tax black listing; OTHER: a clean record."""
    for code, name in ((ACME, "北京某某科技有限公司"), (OTHER, "深圳某某有限公司")):
        city.record("/v1/subjects", {"code": code, "name": name, "kind": "enterprise"})
    city.record(f"/v1/subjects/{ACME}/permits", {
        "decision_no": "许〔2025〕1号", "category": "普通", "decided_on": "2025-03-03",
        "published_on": "2025-03-05"})
    city.record(f"/v1/subjects/{ACME}/penalties", {
        "decision_no": "罚〔2025〕9号", "severity": "general", "domain": "tax",
        "decided_on": "2025-03-03", "published_on": "2025-03-19", "category": "罚款",
        "basis": "《税收征收管理法》第六十条"})
    listing = city.record(f"/v1/subjects/{ACME}/listings", {
        "list": "black", "domain": "tax", "basis": "重大税收违法", "notified_on": "2025-04-20",
        "listed_on": "2025-05-06", "expires_on": "2028-05-06"})
    city.record(f"/v1/subjects/{ACME}/commitments", {
        "type": "repair", "made_on": "2025-06-01", "content": "补缴税款"})
    return str(listing["listing_id"])


def test_a_score_comes_with_every_contribution_and_its_event(city: City) -> None:
    facts(city)
    score = city.read(f"/v1/subjects/{ACME}/score")
    # 1,000 to start, +5 for the permit, -150 for the general penalty, -400 for the listing.
    assert (score["score"], score["grade"], score["poor"]) == (455, "D-", True)
    assert sum(line["points"] for line in score["explanation"]) == score["score"]
    assert {(line["rule"], line["event"]["type"]) for line in score["explanation"]} == {
        ("BASE", "SubjectRegistered"), ("E-PERMIT", "PermitGranted"),
        ("E-PEN-GENERAL", "PenaltyImposed"), ("E-LIST-BLACK", "Listed")}
    assert {line["model_version"] for line in score["explanation"]} == {"2019.1"}
    # Before the listing, only the penalty and the permit counted.
    april = city.read(f"/v1/subjects/{ACME}/score", as_of="2025-04-01")
    assert (april["score"], april["grade"]) == (855, "C")
    clean = city.read(f"/v1/subjects/{OTHER.lower()}/score")
    assert (clean["score"], clean["grade"], clean["total"]) == (1000, "A", 1)


def test_a_direct_repaired_removal_is_no_exit_and_a_withdrawal_leaves_the_population(
        city: City) -> None:
    listing = facts(city)
    before = city.read("/v1/ratios/repair", domain="tax")["domains"]
    assert [(d["domain"], d["black_listed"], d["ratios"]["exited"]["count"]) for d in before] \
        == [("tax", 1, 0)]
    assert before[0]["ratios"]["repair_commitment"] | {"count": 1, "value": 1.0,
                                                       "passed": True} == before[0]["ratios"][
        "repair_commitment"]
    # The listing authority calls its removal a repair: refused, only a repair case's approval
    # takes a subject off a list as repaired (tests/e2e/test_repair_api.py), so no exit.
    removal = city.client.post(f"/v1/subjects/{ACME}/listings/{listing}/removal",
                               json={"delisted_on": "2025-09-01", "reason": "repaired"},
                               headers={"Authorization": "Bearer tok-tax"})
    assert (removal.status_code, removal.json()["rule"]) == (409, "repaired_only_by_repair_case")
    [tax] = city.read("/v1/ratios/repair", domain="tax")["domains"]
    assert (tax["still_listed"], tax["ratios"]["exited"]["value"]) == (1, 0.0)
    assert city.read(f"/v1/subjects/{ACME}/score")["score"] == 855 - 400
    card = {i["id"]: i for i in city.read("/v1/indicators")["indicators"]}
    assert card["black_list_exit_by_domain"]["value"] == 0.0
    # Withdrawn as an error, the listing leaves the score and the black-list population.
    city.record(f"/v1/subjects/{ACME}/listings/{listing}/removal",
                {"delisted_on": "2025-09-01", "reason": "error"})
    assert city.read("/v1/ratios/repair", domain="tax")["domains"] == []
    assert city.read(f"/v1/subjects/{ACME}/score")["score"] == 855
    card = {i["id"]: i for i in city.read("/v1/indicators")["indicators"]}
    assert card["black_list_exit_by_domain"]["value"] is None
    assert card["publicity_timeliness"]["value"] == 0.5  # the penalty was published late
    assert card["commitment_coverage"]["detail"] == {"committed": 1, "market_subjects": 2}
    # The same scorecard as of a date before the listing knows nothing of black lists.
    early = {i["id"]: i for i in city.read("/v1/indicators", as_of="2025-04-01")["indicators"]}
    assert early["black_list_exit_by_domain"]["passed"] is None
    assert early["joint_domains"]["value"] == 0


def test_timeliness_per_authority(city: City) -> None:
    facts(city)
    page = city.read("/v1/publicity/timeliness", authority=TAX)
    [ours] = page["items"]
    assert (ours["authority"], ours["recorded"], ours["on_time"], ours["passed"]) == (
        TAX, 2, 1, False)
    assert ours["by_kind"]["penalty"]["late"] == 1
    assert city.read("/v1/publicity/timeliness", authority=ACME)["items"] == []


def test_unknown_codes_are_404_and_bad_parameters_422(city: City) -> None:
    facts(city)
    for path, params in (("/v1/subjects/91110000600037341X/score", {}),
                         (f"/v1/subjects/{ACME}/score", {"as_of": "2024-01-01"}),
                         (f"/v1/subjects/{PERSON_ID}/score", {})):
        response = city.client.get(path, params={"min_position": city.position} | params)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert PERSON_ID not in response.text  # a person's number typed into a URL
    for path, params in (("/v1/ratios/repair", {"domain": "weather"}),
                         ("/v1/indicators", {"as_of": "yesterday"}),
                         (f"/v1/subjects/{ACME}/score", {"page_size": 100_000}),
                         ("/v1/publicity/timeliness", {"page": 0}),
                         ("/v1/indicators", {"min_position": -1})):
        response = city.client.get(path, params=params)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
