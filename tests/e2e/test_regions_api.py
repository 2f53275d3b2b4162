"""The city's credit office monitors its counties: every subject has a region, each county has
its own scorecard, and the counties are ranked month by month, over HTTP and by replay
(embedded runner; SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.resident_id import make_resident_id
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings

TODAY = date(2025, 11, 20)
SMR = "11211100012345671L"  # 盘锦市市场监督管理局: registers and lists enterprises
BRANCH = {a.region: a.code for a in AuthorityCatalogue.load() if "natural_person" in a.registers}
XLT, STZ = "211103", "211102"  # 兴隆台区, 双台子区
A = make_uscc("9", "1", XLT, "MA0RG0A1")
B = make_uscc("9", "1", XLT, "MA0RG0B2")
C = make_uscc("9", "1", STZ, "MA0RG0C3")
D = make_uscc("9", "1", "110105", "MA0RG0D4")  # a Beijing code: outside the table, the city's
PERSON_XLT = make_resident_id(XLT, date(1980, 5, 1), "013")
PERSON_STZ = make_resident_id(STZ, date(1975, 9, 9), "024")
TOKENS = {"tok-smr": {"role": "provider", "authority": SMR, "actor": "clerk"},
          "tok-xlt": {"role": "provider", "authority": BRANCH[XLT], "actor": "police"},
          "tok-stz": {"role": "provider", "authority": BRANCH[STZ], "actor": "police"}}


@dataclass
class City:
    client: TestClient
    env: dict[str, str]
    position: int = 0

    def record(self, path: str, body: dict[str, Any], token: str = "tok-smr") -> dict[str, Any]:
        response = self.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 201), response.text
        self.position = max(self.position, response.json()["position"])
        return dict(response.json())

    def read(self, path: str, status: int = 200, **params: Any) -> dict[str, Any]:
        response = self.client.get(path, params={"min_position": self.position} | params)
        assert response.status_code == status, response.text
        return dict(response.json())


@pytest.fixture
def city(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[City]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens)
    runtime = bootstrap(settings, clock=lambda: TODAY, relay=False)
    env = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name}
    with TestClient(create_app(runtime)) as client:
        yield City(client, env)


def story(city: City) -> dict[str, str]:
    """Two licensed firms in Xinglongtai, one in Shuangtaizi, one with a code from elsewhere;
    a person registered by each district's police branch. Shuangtaizi's firm is black-listed in
    September; the Xinglongtai person is fined (a scored fact: a citizen score)."""
    for code, name in ((A, "兴隆台甲公司"), (B, "兴隆台乙公司"), (C, "双台子丙公司"),
                       (D, "外地丁公司")):
        city.record("/v1/subjects", {"code": code, "name": name, "kind": "enterprise"})
        # A licence granted in February: the firm counts from then on.
        city.record(f"/v1/subjects/{code}/permits", {
            "decision_no": f"盘市监许〔2025〕{code[-4:]}号", "category": "普通",
            "decided_on": "2025-02-03", "published_on": "2025-02-04"})
    persons = {}
    for number, token, region in ((PERSON_XLT, "tok-xlt", XLT), (PERSON_STZ, "tok-stz", STZ)):
        persons[region] = city.record("/v1/subjects", {"code": number, "name": "王五",
                                                       "kind": "natural_person"}, token)["subject"]
    for code in (A, C):
        city.record(f"/v1/subjects/{code}/commitments", {"type": "voluntary",
                                                         "made_on": "2025-03-02",
                                                         "content": "诚信经营"})
    city.record(f"/v1/subjects/{persons[XLT]}/penalties", {
        "decision_no": "盘公兴罚〔2025〕1号", "severity": "minor", "domain": "public_security",
        "decided_on": "2025-04-01", "published_on": "2025-04-02", "category": "警告",
        "basis": "《治安管理处罚法》"}, "tok-xlt")
    return persons


def black_list(city: City, code: str) -> None:
    city.record(f"/v1/subjects/{code}/listings", {
        "list": "black", "domain": "circulation", "basis": "严重失信", "notified_on": "2025-08-20",
        "listed_on": "2025-09-01", "expires_on": "2028-09-01"})


def by_id(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in card["indicators"]}


def test_a_subject_is_placed_by_its_code_and_a_person_by_the_authority_that_registered_it(
        city: City) -> None:
    persons = story(city)
    placed = {code: (p["region"], p["region_label"]) for code in (A, C, D, *persons.values())
              for p in [city.read(f"/v1/subjects/{code}")]}
    assert placed == {A: (XLT, "兴隆台区"), C: (STZ, "双台子区"), D: ("211100", "盘锦市"),
                      persons[XLT]: (XLT, "兴隆台区"), persons[STZ]: (STZ, "双台子区")}


def test_each_county_has_its_own_scorecard_and_they_add_up_to_the_city(city: City) -> None:
    story(city)
    black_list(city, C)
    cards = {region: by_id(city.read("/v1/indicators", region=region))
             for region in (XLT, STZ, "211104")}
    whole = city.read("/v1/indicators")
    assert (whole["region"], whole["region_label"], whole["population"]) == (
        "211100", "盘锦市", 1_300_000)
    city_card = by_id(whole)
    coverage = {r: c["commitment_coverage"]["detail"] for r, c in cards.items()}
    assert coverage == {XLT: {"committed": 1, "market_subjects": 2},
                        STZ: {"committed": 1, "market_subjects": 1},
                        "211104": {"committed": 0, "market_subjects": 0}}
    # The counties and the one firm the city answers for itself (D) make the city.
    assert city_card["commitment_coverage"]["detail"] == {"committed": 2, "market_subjects": 4}
    assert [cards[r]["black_listed_enterprise_share"]["value"] for r in (XLT, STZ)] == [0, 1]
    assert city_card["black_listed_enterprise_share"]["value"] == 0.25
    # Per capita: over each area's registered population, not the persons the ledger knows.
    holders = {r: c["citizen_score_holders"] for r, c in cards.items()}
    assert holders[XLT]["value"] == pytest.approx(1 / 390_000)
    assert holders[XLT]["detail"] == {"holders": 1, "registered_persons": 1,
                                      "registered_population": 390_000}
    assert holders[STZ]["value"] == 0.0
    assert city_card["citizen_score_holders"]["value"] == pytest.approx(1 / 1_300_000)
    assert city_card["citizen_score_holders"]["detail"]["registered_persons"] == 2


def test_an_unknown_region_is_404_naming_it(city: City) -> None:
    story(city)
    response = city.client.get("/v1/indicators", params={"region": "999999"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "999999" in problem["detail"]
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("region", "not_found")]
    assert city.client.get("/v1/indicators", params={"region": "兴隆台"}).status_code == 422


def test_the_counties_are_ranked_and_the_ranking_is_kept_month_by_month(city: City) -> None:
    story(city)
    black_list(city, C)
    answer = city.read("/v1/regions", months=4)
    assert answer["city"]["code"] == "211100" and answer["as_of"] == TODAY.isoformat()
    regions = {r["code"]: r for r in answer["regions"]}
    assert set(regions) == {"211102", "211103", "211104", "211122", "211171", "211172"}
    ranks = {code: {i["id"]: i["rank"] for i in r["indicators"]} for code, r in regions.items()}
    # Higher is better for coverage, lower for the share of black-listed enterprises.
    assert (ranks[STZ]["commitment_coverage"], ranks[XLT]["commitment_coverage"]) == (1, 2)
    assert (ranks[XLT]["black_listed_enterprise_share"],
            ranks[STZ]["black_listed_enterprise_share"]) == (1, 2)
    assert ranks["211104"]["commitment_coverage"] is None  # nothing to rank it by
    # The answer is in rank order; the rank is the mean of the indicator ranks.
    order = [r["rank"] for r in answer["regions"] if r["rank"] is not None]
    assert order == sorted(order)
    months = [(m["month"], m["as_of"]) for m in answer["history"]]
    assert months == [("2025-08", "2025-08-31"), ("2025-09", "2025-09-30"),
                      ("2025-10", "2025-10-31"), ("2025-11", "2025-11-20")]
    black = [{p["code"]: p["ranks"]["black_listed_enterprise_share"] for p in m["ranking"]}
             for m in answer["history"]]
    # In August nobody was black-listed (a tie); from September Shuangtaizi ranks second.
    assert [(b[XLT], b[STZ]) for b in black] == [(1, 1), (1, 2), (1, 2), (1, 2)]


def replay_regions(env: dict[str, str], *args: str) -> dict[str, Any]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | env | {
        "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run([sys.executable, "-m", "api.cli", "replay", "regions", "--json",
                           *args], env=full, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_replay_gives_the_ranking_of_a_past_month_and_as_the_ledger_knew_it(city: City) -> None:
    story(city)
    known_before_listing = datetime.now(UTC).isoformat()
    black_list(city, C)

    def black_ranks(answer: dict[str, Any]) -> tuple[int, int]:
        ranks = {r["code"]: {i["id"]: i["rank"] for i in r["indicators"]}
                 for r in answer["regions"]}
        return (ranks[XLT]["black_listed_enterprise_share"],
                ranks[STZ]["black_listed_enterprise_share"])

    july = replay_regions(city.env, "--effective", "2025-07-31", "--months", "2")
    assert july["as_of"] == "2025-07-31" and black_ranks(july) == (1, 1)
    assert [m["month"] for m in july["history"]] == ["2025-06", "2025-07"]
    november = replay_regions(city.env, "--effective", TODAY.isoformat(), "--months", "1")
    assert black_ranks(november) == (1, 2)
    assert november["regions"] == city.read("/v1/regions", months=1)["regions"]
    # As recorded before the listing reached the ledger, November knew no black list.
    unknown = replay_regions(city.env, "--as-of", known_before_listing, "--effective",
                             TODAY.isoformat(), "--months", "1")
    assert black_ranks(unknown) == (1, 1)


def test_a_repeated_ranking_is_answered_again_until_the_ledger_changes(city: City) -> None:
    story(city)
    first = city.read("/v1/regions", months=1)
    assert city.read("/v1/regions", months=1) == first  # the same views: the same answer
    black_list(city, C)  # a new fact in 双台子区: the next answer is the new state's
    after = city.read("/v1/regions", months=1)
    shares = {r["code"]: {i["id"]: i["value"] for i in r["indicators"]}
              for r in after["regions"]}
    assert shares[STZ]["black_listed_enterprise_share"] > 0
    assert after != first
