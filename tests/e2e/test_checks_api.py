"""Approval systems check credit before they decide (信用核查), over HTTP: a black-listed
supplier is restricted in government procurement, a red-listed applicant is accepted with
documents missing, a clean one gets nothing; each check is recorded in the subject's audit
history and moves the joint indicators. SQLite and PostgreSQL alike; the event on Kafka."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_repair_api import Desk, desk_on, on_kafka
from tests.relay_story import read_topic, schema_validator
from tests.repair_story import ACME, BETA, COURT, CREDIT_OFFICE, MARKET

PROCUREMENT = "11211100MB0000120X"  # the city's public resource trading centre
PERSON_ID = "11010519491231002X"
TOKENS = {
    "tok-procurement": {"role": "provider", "authority": PROCUREMENT, "actor": "zc-system"},
    "tok-market": {"role": "provider", "authority": MARKET},
    "tok-officer": {"role": "officer", "authority": CREDIT_OFFICE},
    "tok-auditor": {"role": "auditor"},
    "tok-admin": {"role": "admin", "authority": CREDIT_OFFICE},
}


@pytest.fixture
def desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path)


def check(desk: Desk, subject: str, scenario: str, status: int = 201, **extra: Any
          ) -> dict[str, Any]:
    return desk.ok("/v1/checks", {"subject": subject, "scenario": scenario} | extra,
                   status=status, token="tok-procurement")


def card(desk: Desk, position: int) -> dict[str, Any]:
    found = desk.get("/v1/indicators", min_position=position, token=None)
    return {i["id"]: i for i in found["indicators"]}


def test_a_black_listed_supplier_is_restricted_and_the_auditor_sees_it(desk: Desk) -> None:
    # The court black-lists ACME as a judgment debtor (失信被执行人).
    desk.city.register(ACME)
    listing = desk.city.listing(ACME, "black", date(2026, 9, 1), domain="judicial")
    before = card(desk, desk.city.ledger.head_position())
    # The procurement system checks ACME for a tender before it admits the bid.
    answer = check(desk, ACME, "government_procurement", matter_no="ZC-2026-0815")
    [measure] = answer["measures"]
    assert (measure["kind"], measure["measure"]) == ("restrict", "procurement_ban")
    assert measure["text"] == "依法限制作为供应商参加政府采购活动"
    assert measure["basis"] | {"memorandum": None} == {
        "list": "black", "listing_id": listing, "domain": "judicial", "authority": COURT,
        "listed_on": "2026-09-01", "memorandum": None}
    assert measure["basis"]["memorandum"]["number"] == "国发〔2016〕33号"
    assert (answer["type"], answer["subject"], answer["checked_on"]) == (
        "CreditChecked", ACME, "2026-10-16")
    # Asked again for the same matter: the same answer, nothing new recorded.
    again = check(desk, ACME, "government_procurement", status=200, matter_no="ZC-2026-0815")
    assert (again["position"], again["hash"]) == (answer["position"], answer["hash"])
    # The auditor finds the check in ACME's history: who asked, for which matter, what applied.
    history = desk.get(f"/v1/audit/subjects/{ACME}/events", token="tok-auditor")
    assert history["checks"]["chain_ok"] is True
    checked = history["checks"]["events"][-1]
    assert (checked["type"], checked["authority"], checked["actor"]) == (
        "CreditChecked", PROCUREMENT, "zc-system")
    assert checked["data"]["matter_no"] == "ZC-2026-0815"
    assert checked["data"]["measures"] == answer["measures"]
    # The restriction is a joint punishment case, in the domain of government procurement.
    after = card(desk, answer["position"])
    assert before["joint_cases_per_listing"]["detail"]["cases"] == 0
    assert after["joint_cases_per_listing"]["detail"]["check_measures"] == 1
    assert after["joint_cases_per_listing"]["value"] == 1.0
    assert (before["joint_domains"]["value"], after["joint_domains"]["value"]) == (0, 1)


def test_a_red_listed_applicant_is_accepted_with_documents_missing(desk: Desk) -> None:
    desk.city.register(BETA)
    desk.city.listing(BETA, "red", date(2026, 9, 1), domain="tax", authority=MARKET)
    answer = check(desk, BETA, "missing_documents_acceptance", matter_no="SP-77")
    assert [(m["measure"], m["kind"]) for m in answer["measures"]] == [
        ("missing_documents", "incentive")]
    assert answer["measures"][0]["text"].startswith("容缺受理")
    assert answer["withheld"] == []
    # In procurement a red-listed supplier's deposit is waived.
    procurement = check(desk, BETA, "government_procurement")
    assert [m["measure"] for m in procurement["measures"]] == ["deposit_waiver"]


def test_a_clean_subject_gets_no_measure_yet_the_check_is_recorded(desk: Desk) -> None:
    desk.city.register(ACME)
    answer = check(desk, ACME, "bank_loans")
    assert (answer["measures"], answer["withheld"]) == ([], [])
    history = desk.get(f"/v1/audit/subjects/{ACME}/events", token="tok-auditor")
    assert [e["type"] for e in history["checks"]["events"]] == ["CheckLogOpened",
                                                                "CreditChecked"]
    assert card(desk, answer["position"])["joint_domains"]["detail"]["checked_domains"] == 1


def test_a_person_checked_by_id_number_is_pseudonymised_and_never_echoed(desk: Desk) -> None:
    registered = desk.ok("/v1/subjects", {"code": PERSON_ID, "name": "张三",
                                          "kind": "natural_person"}, token="tok-market")
    person = registered["subject"]
    desk.city.listing(person, "black", date(2026, 9, 1), domain="judicial")
    response = desk.call("POST", "/v1/checks", {"subject": PERSON_ID, "scenario": "air_travel"},
                         token="tok-procurement")
    assert response.status_code == 201, response.text
    assert PERSON_ID not in response.text and PERSON_ID[:-1] not in response.text
    answer = response.json()
    assert (answer["subject"], answer["masked"]) == (person, registered["masked"])
    assert [m["measure"] for m in answer["measures"]] == ["air_executee"]
    history = desk.get(f"/v1/audit/subjects/{person}/events", token="tok-auditor")
    assert PERSON_ID not in json.dumps(history, ensure_ascii=False)
    # A mistyped number is refused by the ID rule, without repeating it.
    typo = PERSON_ID[:-1] + "3"
    refused = desk.call("POST", "/v1/checks", {"subject": typo, "scenario": "air_travel"},
                        token="tok-procurement")
    assert refused.status_code == 422 and typo not in refused.text


def test_a_rebuild_of_the_views_counts_the_checks_as_the_live_views_did(desk: Desk) -> None:
    desk.city.register(ACME)
    desk.city.register(BETA)
    desk.city.listing(ACME, "black", date(2026, 9, 1), domain="tax")
    desk.city.listing(BETA, "red", date(2026, 9, 1), domain="tax", authority=MARKET)
    for subject, scenario in ((ACME, "tax_administration"), (ACME, "bidding"),
                              (BETA, "green_channel"), (BETA, "routine_inspection")):
        last = check(desk, subject, scenario, matter_no=f"{scenario}-1")
    live = card(desk, last["position"])
    assert live["joint_cases_per_listing"]["detail"]["check_measures"] == 6  # 2 + 1 + 2 + 1
    assert live["joint_domains"]["value"] == 4
    admin = {"Authorization": "Bearer tok-admin"}
    started = desk.client.post("/v1/admin/projections/all/rebuild", headers=admin)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while (job := desk.client.get(started.json()["status_url"], headers=admin).json()
           )["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job["state"] == "done", job
    rebuilt = card(desk, last["position"])
    for key in ("joint_cases_per_listing", "joint_domains"):
        assert rebuilt[key] == live[key]


@pytest.mark.parametrize(("body", "token", "status", "says"), [
    ({"subject": ACME, "scenario": "procurement"}, "tok-procurement", 422,
     "unknown scenario 'procurement'"),
    ({"subject": BETA, "scenario": "government_procurement"}, "tok-procurement", 404,
     "no subject"),
    ({"subject": ACME, "scenario": "government_procurement"}, "tok-officer", 403,
     "role officer"),
    ({"subject": ACME, "scenario": "government_procurement"}, "tok-auditor", 403,
     "role auditor"),
    ({"subject": ACME, "scenario": "government_procurement"}, None, 401, "bearer"),
    ({"subject": ACME}, "tok-procurement", 422, "scenario"),
    ({"subject": ACME, "scenario": "bidding", "extra": 1}, "tok-procurement", 422, "extra"),
])
def test_bad_checks_are_refused_by_rule_and_store_nothing(
    desk: Desk, body: dict[str, Any], token: str | None, status: int, says: str,
) -> None:
    desk.city.register(ACME)
    head = desk.city.ledger.head_position()
    response = desk.call("POST", "/v1/checks", body, token=token)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.text
    if "unknown scenario" in says:
        problem = response.json()
        assert problem["errors"][0]["field"] == "scenario"
        assert "government_procurement" in problem["choices"]
    assert desk.city.ledger.head_position() == head


def test_the_scenarios_are_listed_publicly_with_their_measures(desk: Desk) -> None:
    catalogue = desk.get("/v1/scenarios", token=None)
    assert catalogue["domains"] >= 40
    procurement = next(s for s in catalogue["items"] if s["code"] == "government_procurement")
    assert procurement["name"] == "政府采购供应商资格审查"
    kinds = {(m["kind"], tuple(m["lists"])) for m in procurement["measures"]}
    assert ("restrict", ("black",)) in kinds and ("incentive", ("red",)) in kinds


@pytest.mark.kafka
@pytest.mark.postgres
def test_a_check_goes_out_on_kafka_valid_and_in_the_kafka_history(
    pg_url: str, kafka_bootstrap: str, topic_name: str, unique_name: str, tmp_path: Path,
) -> None:
    for desk in on_kafka(TOKENS, pg_url, kafka_bootstrap, topic_name, unique_name, tmp_path):
        desk.city.register(ACME)
        desk.city.listing(ACME, "black", date(2026, 9, 1), domain="judicial")
        answer = check(desk, ACME, "land_supply", matter_no="TD-9")
        assert card(desk, answer["position"])["joint_cases_per_listing"]["detail"][
            "check_measures"] == 1
        history = desk.get(f"/v1/audit/subjects/{ACME}/events", token="tok-auditor",
                           source="kafka")
        assert [e["type"] for e in history["checks"]["events"]] == ["CheckLogOpened",
                                                                    "CreditChecked"]
        # The subject's own stream is not mixed with its check log, though both share its key.
        assert {e["stream"] for e in history["events"]} == {history["events"][0]["stream"]}
        assert history["chain_ok"] and history["checks"]["chain_ok"]
    records = [r for r in read_topic(kafka_bootstrap, topic_name)
               if dict(r.headers or []).get("type") in (b"CheckLogOpened", b"CreditChecked")]
    assert [dict(r.headers)["type"] for r in records] == [b"CheckLogOpened", b"CreditChecked"]
    validator = schema_validator()
    for record in records:
        validator.validate(json.loads(record.value))
        assert record.key == ACME.encode()
