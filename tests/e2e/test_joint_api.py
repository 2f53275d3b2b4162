"""Joint rewards and punishments over HTTP: initiate for a listing, departments respond, the
case closes with feedback and then counts in the scorecard. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_repair_api import Desk, desk_on, on_kafka
from tests.relay_story import read_topic, schema_validator
from tests.repair_story import ACME, COURT, CREDIT_OFFICE, MARKET

TAX_BUREAU = "11100000000019066D"
TOKENS = {
    "tok-court": {"role": "provider", "authority": COURT},
    "tok-market": {"role": "provider", "authority": MARKET},
    "tok-tax": {"role": "provider", "authority": TAX_BUREAU},
    "tok-officer": {"role": "officer", "authority": CREDIT_OFFICE},
    "tok-auditor": {"role": "auditor"},
}


@pytest.fixture
def desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path)


def black_listed(desk: Desk) -> str:
    desk.city.register(ACME)
    return desk.city.listing(ACME, "black", date(2026, 9, 1))


def card(desk: Desk, position: int) -> dict[str, Any]:
    found = desk.get("/v1/indicators", min_position=position, token=None)
    return {i["id"]: i for i in found["indicators"]}


def test_a_case_runs_initiate_respond_close_and_counts_as_a_valid_joint_case(desk: Desk
                                                                             ) -> None:
    listing = black_listed(desk)
    opened = desk.ok("/v1/joint-cases", {"subject": ACME, "listing_id": listing,
                                         "initiated_on": "2026-09-02"}, token="tok-court")
    assert (opened["kind"], opened["status"], opened["domain"]) == ("punishment", "open", "tax")
    before = card(desk, opened["receipt"]["position"])["joint_cases_per_listing"]
    case = opened["id"]
    desk.ok(f"/v1/joint-cases/{case}/responses", {"measure": "no government procurement",
                                                  "applied_on": "2026-09-03"}, token="tok-tax")
    desk.ok(f"/v1/joint-cases/{case}/responses", {"measure": "no honours this year",
                                                  "applied_on": "2026-09-04"},
            token="tok-market")
    closed = desk.ok(f"/v1/joint-cases/{case}/closure", {"feedback": "two measures applied",
                                                        "closed_on": "2026-09-05"},
                     token="tok-court")
    assert closed["status"] == "closed" and closed["closed_on"] == "2026-09-05"
    assert [m["authority"] for m in closed["measures"]] == [TAX_BUREAU, MARKET]
    after = card(desk, closed["receipt"]["position"])["joint_cases_per_listing"]
    assert (before["detail"]["cases"], after["detail"]["cases"]) == (0, 1)
    assert after["value"] == 1.0 and after["passed"] is True
    shown = desk.get(f"/v1/joint-cases/{case}", token="tok-auditor")
    assert shown["status"] == "closed" and len(shown["measures"]) == 2


def test_replays_answer_200_and_record_nothing_new(desk: Desk) -> None:
    listing = black_listed(desk)
    body = {"subject": ACME, "listing_id": listing, "initiated_on": "2026-09-02"}
    first = desk.ok("/v1/joint-cases", body, token="tok-court")
    again = desk.ok("/v1/joint-cases", body, status=200, token="tok-court")
    assert again["id"] == first["id"] and again["receipt"] == first["receipt"]
    measure = {"measure": "no government procurement", "applied_on": "2026-09-03"}
    answered = desk.ok(f"/v1/joint-cases/{first['id']}/responses", measure, token="tok-tax")
    desk.ok(f"/v1/joint-cases/{first['id']}/responses", {
        "measure": "no honours this year", "applied_on": "2026-09-03"}, token="tok-market")
    closure = {"feedback": "applied", "closed_on": "2026-09-04"}
    closed = desk.ok(f"/v1/joint-cases/{first['id']}/closure", closure, token="tok-court")
    again = desk.ok(f"/v1/joint-cases/{first['id']}/closure", closure, status=200,
                    token="tok-court")
    assert again["receipt"] == closed["receipt"]
    # Asked again after others have written, even once closed: the tax bureau's own receipt.
    replay = desk.ok(f"/v1/joint-cases/{first['id']}/responses", measure, status=200,
                     token="tok-tax")
    assert replay["receipt"] == answered["receipt"] and replay["receipt"]["version"] == 2
    other = desk.call("POST", f"/v1/joint-cases/{first['id']}/responses",
                      {"measure": "something else", "applied_on": "2026-09-03"}, token="tok-tax")
    assert other.status_code == 409 and "already responded" in other.json()["detail"]


@pytest.mark.parametrize(("path", "body", "token", "status", "says"), [
    ("/v1/joint-cases", {"subject": ACME, "listing_id": "nope", "initiated_on": "2026-09-02"},
     "tok-court", 404, "no listing nope"),
    ("/v1/joint-cases", {"subject": ACME, "listing_id": "{listing}",
                         "initiated_on": "2026-08-01"}, "tok-court", 422, "before the listing"),
    ("/v1/joint-cases", {"subject": ACME, "listing_id": "{listing}",
                         "initiated_on": "2026-12-01"}, "tok-court", 422, "in the future"),
    ("/v1/joint-cases", {"subject": ACME, "listing_id": "{listing}",
                         "initiated_on": "2026-09-02"}, "tok-auditor", 403, "role auditor"),
    ("/v1/joint-cases", {"subject": ACME, "listing_id": "{listing}"}, "tok-court", 422,
     "initiated_on"),
    ("{case}/closure", {"feedback": "done", "closed_on": "2026-09-05"}, "tok-court", 422,
     "no measure yet"),
    ("{case}/responses", {"measure": "x", "applied_on": "2026-09-01"}, "tok-tax", 422,
     "before 2026-09-02"),
])
def test_bad_steps_are_refused_with_the_rule_and_store_nothing(
    desk: Desk, path: str, body: dict[str, Any], token: str, status: int, says: str,
) -> None:
    listing = black_listed(desk)
    case = desk.ok("/v1/joint-cases", {"subject": ACME, "listing_id": listing,
                                       "initiated_on": "2026-09-02"}, token="tok-court")["id"] \
        if path.startswith("{case}") else ""
    head = desk.city.ledger.head_position()
    body = {k: v.format(listing=listing) if isinstance(v, str) else v for k, v in body.items()}
    response = desk.call("POST", path.format(case=f"/v1/joint-cases/{case}"), body, token=token)
    assert response.status_code == status, response.text
    assert says in response.text
    assert desk.city.ledger.head_position() == head


@pytest.mark.kafka
@pytest.mark.postgres
def test_joint_events_go_out_on_kafka_valid_against_the_published_schemas(
    pg_url: str, kafka_bootstrap: str, topic_name: str, unique_name: str, tmp_path: Path,
) -> None:
    for desk in on_kafka(TOKENS, pg_url, kafka_bootstrap, topic_name, unique_name, tmp_path):
        case = desk.ok("/v1/joint-cases", {"subject": ACME, "listing_id": black_listed(desk),
                                           "initiated_on": "2026-09-02"}, token="tok-court")
        desk.ok(f"/v1/joint-cases/{case['id']}/responses",
                {"measure": "no government procurement", "applied_on": "2026-09-03"},
                token="tok-tax")
        closed = desk.ok(f"/v1/joint-cases/{case['id']}/closure",
                         {"feedback": "applied", "closed_on": "2026-09-04"}, token="tok-court")
        assert card(desk, closed["receipt"]["position"])["joint_cases_per_listing"][
            "detail"]["cases"] == 1
    records = [r for r in read_topic(kafka_bootstrap, topic_name)
               if dict(r.headers or []).get("type", b"").startswith(b"Joint")]
    assert [dict(r.headers)["type"] for r in records] == [
        b"JointCaseInitiated", b"JointMeasureApplied", b"JointCaseClosed"]
    validator = schema_validator()
    for record in records:
        validator.validate(json.loads(record.value))
        assert record.key == ACME.encode()
