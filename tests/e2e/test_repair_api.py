"""Repair officers over HTTP: roles and domain scopes, the worklist, timelines, and the ratios
and indicators that move with each outcome. SQLite and PostgreSQL alike (embedded feed)."""

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
from ledger.identity import identify
from ledger.settings import DEV_PSEUDONYM_KEY, Settings
from tests.calls import register
from tests.relay_story import read_topic, schema_validator
from tests.repair_story import ACME, BETA, CREDIT_OFFICE, City, Clock

PERSON_ID = "11010519491231002X"
TOKENS = {
    "tok-officer": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-wang"},
    # Four eyes: the officer who accepted a case does not decide it (docs/adr/014).
    "tok-chief": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-zhao"},
    "tok-tax-officer": {"role": "officer", "authority": CREDIT_OFFICE, "actor": "officer-li",
                        "domains": ["tax"]},
    "tok-no-dept": {"role": "officer"},
    "tok-provider": {"role": "provider", "authority": CREDIT_OFFICE},
    "tok-auditor": {"role": "auditor"},
}


@dataclass
class Desk:
    client: TestClient
    city: City

    def call(self, method: str, path: str, body: Any = None, token: str | None = "tok-officer",
             **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.request(method, path, json=body, headers=headers, params=params)

    def ok(self, path: str, body: Any, status: int = 201, **kw: Any) -> dict[str, Any]:
        response = self.call("POST", path, body, **kw)
        assert response.status_code == status, response.text
        return dict(response.json())

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        token = params.pop("token", "tok-officer")
        response = self.call("GET", path, token=token, **params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def file(self, target: str, applied_on: str, subject: str = ACME, **extra: Any
             ) -> dict[str, Any]:
        return self.ok("/v1/repairs", {"subject": subject, "target": target,
                                       "applied_on": applied_on, "obligations_performed": True}
                       | extra)


def start(settings: Settings, clock: Clock) -> Iterator[Desk]:
    runtime = bootstrap(settings, background=True, clock=clock)
    with TestClient(create_app(runtime)) as client:
        yield Desk(client, City(runtime.ledger, clock))


def desk_on(tokens: dict[str, Any], database_url: str, unique_name: str, tmp_path: Path,
            **kafka: Any) -> Iterator[Desk]:
    """A desk with these tokens on this database (the embedded feed, unless Kafka is given)."""
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(tokens))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=path,
                        env="test", **kafka)
    yield from start(settings, Clock(date(2026, 10, 16)))


def on_kafka(tokens: dict[str, Any], pg_url: str, kafka_bootstrap: str, topic_name: str,
             unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    """A desk on PostgreSQL whose events are relayed to a fresh topic; the views follow Kafka."""
    yield from desk_on(tokens, pg_url, unique_name, tmp_path, kafka_bootstrap=kafka_bootstrap,
                       kafka_topic=topic_name, kafka_partitions=3)


@pytest.fixture
def desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path)


def test_only_officers_with_a_department_act_and_scoped_ones_stay_in_their_domains(
    desk: Desk,
) -> None:
    city = desk.city
    city.register(ACME)
    fine = city.penalty(ACME, date(2026, 4, 1), domain="production")
    arrears = city.listing(ACME, "key_attention", date(2026, 4, 1), domain="tax")
    body = {"subject": ACME, "target": fine, "applied_on": "2026-09-01",
            "obligations_performed": True}
    assert desk.call("POST", "/v1/repairs", body, token=None).status_code == 401
    for token in ("tok-provider", "tok-auditor"):
        assert desk.call("POST", "/v1/repairs", body, token=token).status_code == 403
        assert desk.call("GET", "/v1/repairs", token=token).status_code == 403
    assert desk.call("POST", "/v1/repairs", body, token="tok-no-dept").status_code == 403
    # The tax officer may not touch a production penalty, nor read its case or its worklist.
    refused = desk.call("POST", "/v1/repairs", body, token="tok-tax-officer")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    production = desk.file(fine, "2026-09-01")
    assert desk.call("GET", f"/v1/repairs/{production['id']}",
                     token="tok-tax-officer").status_code == 403
    assert desk.call("POST", f"/v1/repairs/{production['id']}/withdraw",
                     {"withdrawn_on": "2026-09-02"}, token="tok-tax-officer").status_code == 403
    assert desk.call("GET", "/v1/repairs", token="tok-tax-officer",
                     domain="production").status_code == 403
    # In the tax domain they work; their worklist holds only tax cases.
    tax = desk.ok("/v1/repairs", {"subject": ACME, "target": arrears, "applied_on": "2026-09-01",
                                  "obligations_performed": True}, token="tok-tax-officer")
    mine = desk.get("/v1/repairs", token="tok-tax-officer")
    assert [c["id"] for c in mine["items"]] == [tax["id"]]
    assert desk.get("/v1/repairs")["total"] == 2


def test_the_worklist_puts_the_oldest_due_first_and_filters_the_overdue(desk: Desk) -> None:
    city = desk.city
    city.register(ACME)
    commitment = city.commitment(ACME, date(2026, 8, 1))
    fines = [city.penalty(ACME, date(2026, 4, d)) for d in (1, 2, 3, 7, 8)]
    ids = {}
    for name, fine, accepted in [("c", fines[0], "2026-09-01"), ("a", fines[1], "2026-09-23"),
                                 ("b", fines[2], "2026-10-09"), ("d", fines[3], None)]:
        ids[name] = desk.file(fine, "2026-08-31", commitment_id=commitment)["id"]
        if accepted:
            case = desk.ok(f"/v1/repairs/{ids[name]}/accept", {"accepted_on": accepted})
            assert case["status"] == "accepted"
    ids["e"] = desk.file(fines[4], "2026-09-01", obligations_performed=False)["id"]

    # Due: c on 15 Sep; a on 14 Oct (after Mid-Autumn and National Day); b on 22 Oct.
    listed = desk.get("/v1/repairs")["items"]
    assert [c["id"] for c in listed] == [ids[n] for n in "cabde"]
    assert [c["due_on"] for c in listed[:3]] == ["2026-09-15", "2026-10-14", "2026-10-22"]
    # On 16 October, c and a are overdue; b is not, nor the cases with no deadline.
    overdue = desk.get("/v1/repairs", overdue="true")
    assert [c["id"] for c in overdue["items"]] == [ids["c"], ids["a"]]
    assert all(c["overdue"] for c in overdue["items"]) and overdue["total"] == 2
    # c is approved today: its next deadline is telling the authority, by 21 October.
    approved = desk.ok(f"/v1/repairs/{ids['c']}/approve", {"decided_on": "2026-10-16"},
                       token="tok-chief")
    assert (approved["status"], approved["notify_due"]) == ("approved", "2026-10-21")
    assert [c["id"] for c in desk.get("/v1/repairs", overdue="true")["items"]] == [ids["a"]]
    assert [c["id"] for c in desk.get("/v1/repairs")["items"]][:3] == [ids[n] for n in "acb"]
    desk.ok(f"/v1/repairs/{ids['c']}/inform", {"informed_on": "2026-10-16"})
    assert [c["status"] for c in desk.get("/v1/repairs", status="refused")["items"]] == [
        "refused"]
    page2 = desk.get("/v1/repairs", status="open", page=2, page_size=2)
    assert [c["id"] for c in page2["items"]] == [ids["d"]] and page2["total"] == 3


def test_a_case_shows_its_timeline_due_dates_and_refusals(desk: Desk) -> None:
    city = desk.city
    city.register(ACME)
    fine = city.penalty(ACME, date(2026, 4, 1), violation_type="illegal_fund_raising")
    refused = desk.file(fine, "2026-09-01")
    assert refused["status"] == "refused"
    assert [f["rule"] for f in refused["failures"]] == ["non_repairable"]

    other = city.penalty(ACME, date(2026, 4, 2))
    case = desk.file(other, "2026-09-01")
    # One open case per target; an approval without a repair commitment changes nothing.
    again = desk.call("POST", "/v1/repairs", {"subject": ACME, "target": other, "applied_on":
                                              "2026-09-02", "obligations_performed": True})
    assert again.status_code == 409 and again.json()["errors"] == [{"field": "target", "rule":
        "conflict", "message": f"case {case['id']} on this penalty is still open"}]
    before = city.ledger.head_position()
    problem = desk.call("POST", f"/v1/repairs/{case['id']}/accept", {"accepted_on": "2026-09-02"})
    assert problem.status_code == 422 and problem.json()["rule"] == "repair_commitment"
    assert city.ledger.head_position() == before
    commitment = city.commitment(ACME, date(2026, 9, 2))
    desk.ok(f"/v1/repairs/{case['id']}/commitment", {"commitment_id": commitment})
    desk.ok(f"/v1/repairs/{case['id']}/accept", {"accepted_on": "2026-09-03"})
    desk.ok(f"/v1/repairs/{case['id']}/training", {"completed_on": "2026-09-04",
                                                     "provider": "City credit school"})
    desk.ok(f"/v1/repairs/{case['id']}/report", {"issued_on": "2026-09-07", "agency": "Rating Ltd",
                                                   "report_no": "R-1"})
    desk.ok(f"/v1/repairs/{case['id']}/reject", {"decided_on": "2026-09-08",
                                                   "reasons": ["rectification incomplete"]},
            token="tok-chief")
    detail = desk.get(f"/v1/repairs/{case['id']}")
    assert [e["type"] for e in detail["timeline"]] == [
        "RepairApplied", "RepairCommitmentLinked", "RepairAccepted", "RepairTrainingCompleted",
        "RepairReportSubmitted", "RepairRejected"]
    assert [e["actor"] for e in detail["timeline"]] == ["officer-wang"] * 5 + ["officer-zhao"]
    assert (detail["decision_due"], detail["notify_due"]) == ("2026-09-17", "2026-09-11")
    assert (detail["trainings"], detail["reports"], detail["overdue"]) == (1, 1, True)
    assert desk.call("GET", "/v1/repairs/not-a-case").status_code == 404


def test_a_deadline_counted_into_a_year_without_its_holiday_schedule_is_provisional(
    desk: Desk,
) -> None:
    city = desk.city
    city.register(ACME)
    commitment = city.commitment(ACME, date(2026, 9, 1))
    autumn, winter = city.penalty(ACME, date(2026, 4, 1)), city.penalty(ACME, date(2026, 4, 2))
    # Accepted in September: ten working days end within 2026, whose schedule is published.
    desk.file(autumn, "2026-09-01", commitment_id=commitment)
    city.clock.today = date(2026, 12, 28)
    sure = desk.ok(f"/v1/repairs/{desk.get('/v1/repairs')['items'][0]['id']}/accept",
                   {"accepted_on": "2026-09-03"})
    assert (sure["decision_due"], sure["provisional"]) == ("2026-09-17", False)
    # Accepted on Christmas Eve: the count runs into 2027, whose schedule is not out yet.
    # New Year's Day is a fixed-date holiday, so the tenth working day is Friday 8 January;
    # the answer says the date is provisional, and so do the case and the worklist.
    case = desk.file(winter, "2026-12-23", commitment_id=commitment)
    guess = desk.ok(f"/v1/repairs/{case['id']}/accept", {"accepted_on": "2026-12-24"})
    assert (guess["decision_due"], guess["provisional"]) == ("2027-01-08", True)
    assert desk.get(f"/v1/repairs/{case['id']}")["provisional"] is True
    flags = {c["id"]: c["provisional"] for c in desk.get("/v1/repairs")["items"]}
    assert flags == {sure["id"]: False, case["id"]: True}


def test_a_person_is_named_by_id_number_only_in_the_request_body(desk: Desk) -> None:
    key = DEV_PSEUDONYM_KEY.encode()
    person = identify(PERSON_ID, "natural_person", key)
    register(desk.city.ledger, code=person.code, name="张三", kind="natural_person",
                              masked=person.masked, authority=CREDIT_OFFICE, actor="clerk",
                              registered_on=date(2020, 1, 2))
    fine = desk.city.penalty(person.code, date(2026, 4, 1))
    case = desk.file(fine, "2026-09-01", subject=PERSON_ID)
    assert case["subject"] == person.code
    # Neither the answers, the worklist, nor anything stored carries the number in clear.
    missing = desk.call("POST", "/v1/repairs", {"subject": "110105194912310038",
                                                "target": fine, "applied_on": "2026-09-01",
                                                "obligations_performed": True})
    assert missing.status_code == 404
    stored = desk.city.ledger.recorder.select_notifications(1, 1000)
    for text in (json.dumps(case), missing.text, json.dumps(desk.get("/v1/repairs")),
                 json.dumps(desk.get(f"/v1/repairs/{case['id']}")),
                 *(n.state.decode() for n in stored)):
        assert PERSON_ID not in text and "110105194912310038" not in text


def test_repair_ratios_and_the_indicator_scorecard_move_with_an_outcome(desk: Desk) -> None:
    black_list_exit_story(desk)


@pytest.mark.kafka
@pytest.mark.postgres
def test_the_same_workflow_runs_with_kafka_and_postgresql(
    pg_url: str, kafka_bootstrap: str, topic_name: str, unique_name: str, tmp_path: Path,
) -> None:
    for desk in on_kafka(TOKENS, pg_url, kafka_bootstrap, topic_name, unique_name, tmp_path):
        case_id = black_list_exit_story(desk)
        ready = desk.client.get("/readyz").json()
        assert ready["checks"]["projections"]["feed"] == "kafka"
        [row] = desk.get("/v1/repairs", status="approved")["items"]
        assert row["id"] == case_id
    # Every repair event went out keyed by the subject, valid against the published schemas.
    records = [r for r in read_topic(kafka_bootstrap, topic_name)
               if r.headers and dict(r.headers).get("type", b"").startswith(b"Repair")]
    assert [dict(r.headers)["type"] for r in records] == [
        b"RepairApplied", b"RepairTrainingCompleted", b"RepairAccepted", b"RepairApproved"]
    validator = schema_validator()
    for record in records:
        validator.validate(json.loads(record.value))
        assert record.key == BETA.encode()


def black_list_exit_story(desk: Desk) -> str:
    """A tax black listing repaired over HTTP; the ratios and the scorecard follow."""
    city = desk.city
    city.register(BETA, "Beta Trading Co.")
    black = city.listing(BETA, "black", date(2025, 6, 2), domain="tax")
    case = desk.file(black, "2026-09-01", subject=BETA,
                     commitment_id=city.commitment(BETA, date(2026, 8, 28)))
    before = ratios_and_card(desk, case["receipt"]["position"])
    desk.ok(f"/v1/repairs/{case['id']}/training", {"completed_on": "2026-09-02",
                                                     "provider": "City credit school"})
    desk.ok(f"/v1/repairs/{case['id']}/accept", {"accepted_on": "2026-09-03"})
    approved = desk.ok(f"/v1/repairs/{case['id']}/approve", {"decided_on": "2026-09-04"},
                       token="tok-chief")
    after = ratios_and_card(desk, approved["receipt"]["position"] + 1)
    assert before["exited"]["count"] == 0 and after["exited"] == {
        "count": 1, "value": 1.0, "target": 0.3, "passed": True}
    assert (before["training"]["count"], after["training"]["count"]) == (0, 1)
    assert before["card"]["black_list_exit_by_domain"] == 0.0
    assert after["card"]["black_list_exit_by_domain"] == 1.0
    return str(case["id"])


def ratios_and_card(desk: Desk, position: int) -> dict[str, Any]:
    """The tax domain's repair ratios and the scorecard values, once the views have `position`."""
    ratios = desk.get("/v1/ratios/repair", domain="tax", min_position=position, token=None)
    card = desk.get("/v1/indicators", min_position=position, token=None)
    [tax] = ratios["domains"]
    return tax["ratios"] | {"card": {i["id"]: i["value"] for i in card["indicators"]}}
