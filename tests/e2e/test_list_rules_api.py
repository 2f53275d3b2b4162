"""Lists over HTTP: prior notice, a stated and bounded period, one listing at a time, exits by
repair only through a case; and what has lapsed leaves every reader on the same day, with no
expiry run. SQLite and PostgreSQL alike (embedded feed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.runtime import Runtime
from ledger.settings import Settings
from tests.listing_terms import body as listing
from tests.repair_story import ACME, BETA, COURT, CREDIT_OFFICE, City, Clock

TOKENS = {
    "tok-court": {"role": "provider", "authority": COURT, "actor": "court-clerk"},
    "tok-officer": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-wang"},
    "tok-chief": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-zhao"},
    "tok-auditor": {"role": "auditor"},
}


@dataclass
class Town:
    client: TestClient
    runtime: Runtime
    city: City
    position: int = 0

    @property
    def clock(self) -> Clock:
        return self.city.clock

    def post(self, path: str, body: Any, token: str = "tok-court") -> httpx.Response:
        response = self.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code in (200, 201):
            self.position = max(self.position, response.json()["position"] if "position" in
                                response.json() else response.json()["receipt"]["position"])
        return response

    def problem(self, status: int, path: str, body: Any) -> dict[str, Any]:
        """A refusal as problem+json that stores nothing."""
        before = self.runtime.ledger.head_position()
        response = self.post(path, body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert self.runtime.ledger.head_position() == before
        return dict(response.json())

    def get(self, path: str, token: str | None = None, **params: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.get(path, params={"min_position": self.position} | params,
                                   headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def town(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Town]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens,
                        env="test", demo=False)
    clock = Clock(date(2026, 5, 4))
    runtime = bootstrap(settings, clock=clock, relay=False)  # no expiry process: never run
    with TestClient(create_app(runtime)) as client:
        yield Town(client, runtime, City(runtime.ledger, clock))


def rule_of(problem: dict[str, Any]) -> tuple[str, str]:
    [error] = problem["errors"]
    return error["field"], error["rule"]


def test_a_listing_needs_notice_a_bounded_period_and_no_twin(town: Town) -> None:
    town.city.register(ACME)
    path = f"/v1/subjects/{ACME}/listings"
    # Notice on the listing day is no notice: five working days are due, and the answer says
    # from when this notice allows listing (4 May is in the May Day holiday, Saturday the 9th
    # is worked: the 11th).
    same_day = town.problem(422, path, listing("black", "tax", "2026-05-04",
                                               notified_on="2026-05-04"))
    assert rule_of(same_day) == ("notified_on", "prior_notice")
    assert "earliest acceptable listed_on for this notice is 2026-05-11" in same_day["detail"]
    # A black listing states its period, at most the policy's 36 months (and no date is past
    # the ledger's range at all).
    far = town.problem(422, path, listing("black", "tax", "2026-05-04", expires_on="9999-12-31"))
    assert rule_of(far) == ("expires_on", "date_range")
    for expires_on, rule in ((None, "expires_on_required"), ("2099-12-31", "listing_max_period"),
                             ("2029-05-05", "listing_max_period")):
        refused = town.problem(422, path, listing("black", "tax", "2026-05-04",
                                                  expires_on=expires_on))
        assert rule_of(refused) == ("expires_on", rule)
        assert "2029-05-04" in refused["detail"]
    first = town.post(path, listing("black", "tax", "2026-05-04"))
    assert first.status_code == 201, first.text
    listing_id = first.json()["listing_id"]
    # The same listing again is the same answer; a second one on the same list and domain,
    # on another day, is a conflict naming the first.
    again = town.post(path, listing("black", "tax", "2026-05-04"))
    assert (again.status_code, again.json()["listing_id"]) == (200, listing_id)
    twin = town.problem(409, path, listing("black", "tax", "2026-04-27"))
    assert twin["listing_id"] == listing_id and listing_id in twin["detail"]
    assert twin["rule"] == "one_active_listing"
    # Another domain is another listing.
    assert town.post(path, listing("black", "finance", "2026-05-04")).status_code == 201
    score = town.get(f"/v1/subjects/{ACME}/score")
    assert [line["rule"] for line in score["explanation"]].count("E-LIST-BLACK") == 2


def test_a_repaired_exit_is_an_approved_case_and_nothing_else(town: Town) -> None:
    city = town.city
    for code in (ACME, BETA):
        city.register(code)
    city.clock.today = date(2026, 11, 25)
    acme = city.listing(ACME, "black", date(2025, 6, 2), domain="tax")
    beta = city.listing(BETA, "black", date(2025, 6, 2), domain="tax")
    # The listing authority cannot call its removal a repair: that is the repair desk's.
    direct = town.problem(409, f"/v1/subjects/{ACME}/listings/{acme}/removal",
                          {"delisted_on": "2025-07-13", "reason": "repaired"})
    assert rule_of(direct) == ("reason", "repaired_only_by_repair_case")
    # BETA repairs through a case: applied and accepted by one officer, approved by another.
    case = town.post("/v1/repairs", {
        "subject": BETA, "target": beta, "applied_on": "2026-09-01",
        "obligations_performed": True, "commitment_id": city.commitment(BETA, date(2026, 8, 28))},
        token="tok-officer").json()
    for step, body, token in (("accept", {"accepted_on": "2026-09-03"}, "tok-officer"),
                              ("approve", {"decided_on": "2026-09-04"}, "tok-chief")):
        answer = town.post(f"/v1/repairs/{case['id']}/{step}", body, token=token)
        assert answer.status_code == 201, answer.text
    [tax] = town.get("/v1/ratios/repair", domain="tax")["domains"]
    assert (tax["black_listed"], tax["still_listed"]) == (2, 1)
    assert tax["ratios"]["exited"]["count"] == 1 and tax["ratios"]["exited"]["value"] == 0.5
    card = {i["id"]: i for i in town.get("/v1/indicators")["indicators"]}
    assert card["black_list_exit_by_domain"]["detail"]["by_domain"]["tax"]["count"] == 1


def shown(town: Town, day: date) -> dict[str, Any]:
    """Everything the public and an auditor read about ACME on `day`, the ledger's today."""
    town.clock.today = day
    profile = town.get(f"/v1/subjects/{ACME}")
    score = town.get(f"/v1/subjects/{ACME}/score")
    state = town.get(f"/v1/audit/subjects/{ACME}/state", token="tok-auditor")
    black = town.get("/v1/lists/black")
    [tax] = town.get("/v1/ratios/repair", domain="tax")["domains"]
    card = {i["id"]: i["value"] for i in town.get("/v1/indicators")["indicators"]}
    return {
        "penalties": [p["decision_no"] for p in profile["penalties"]],
        "lists": [x["list"] for x in profile["lists"]],
        "score": score["score"], "rules": sorted(line["rule"] for line in score["explanation"]),
        "as_of": ([p["decision_no"] for p in state["profile"]["penalties"]],
                  [x["list"] for x in state["profile"]["lists"]], state["score"]["score"]),
        "black_list": [m["code"] for m in black["items"]],
        "still_listed": tax["still_listed"], "black_share": card["black_listed_enterprise_share"],
    }


def test_what_lapses_leaves_every_reader_on_the_same_day_with_no_expiry_run(town: Town) -> None:
    city = town.city
    city.register(ACME)
    # Decided on 4 May 2026: a minor penalty is public for at most 3 months, until 4 August.
    decision = city.penalty(ACME, date(2026, 5, 4), severity="minor", domain="tax")
    # A black listing in force from 11 May (notice on the 4th) until 4 August as well.
    town.clock.today = date(2026, 5, 11)
    listed = town.post(f"/v1/subjects/{ACME}/listings", listing(
        "black", "tax", "2026-05-11", notified_on="2026-05-04", expires_on="2026-08-04"))
    assert listed.status_code == 201, listed.text
    town.position = town.runtime.ledger.head_position()
    before = shown(town, date(2026, 8, 3))
    assert before == {
        "penalties": [decision], "lists": ["black"], "score": 1000 - 30 - 400,
        "rules": ["BASE", "E-LIST-BLACK", "E-PEN-MINOR"],
        "as_of": ([decision], ["black"], 1000 - 30 - 400),
        "black_list": [ACME], "still_listed": 1, "black_share": 1.0}
    for day in (date(2026, 8, 4), date(2026, 8, 5)):
        assert shown(town, day) == {
            "penalties": [], "lists": [], "score": 1000, "rules": ["BASE"],
            "as_of": ([], [], 1000), "black_list": [], "still_listed": 0, "black_share": 0.0}
    # Nothing was recorded in between: no expiry process ran.
    assert town.runtime.ledger.head_position() == town.position
