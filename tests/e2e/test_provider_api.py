"""Departments record facts over HTTP: every write answered with its position, every refusal
with problem+json, and nothing stored by a refused request. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import logging
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
from ledger.application import CreditLedger
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification

TODAY = date(2025, 11, 20)
TAX = make_uscc("1", "1", "110000", "00001312")
MARKET = make_uscc("1", "1", "110000", "00002345")
ACME = "91110000600037341L"
PERSON_ID = "11010519491231002X"
TOKENS = {
    "tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
    "tok-market": {"role": "provider", "authority": MARKET, "actor": "market-clerk"},
    "tok-officer": {"role": "officer", "authority": TAX},
    "tok-auditor": {"role": "auditor"},
    "tok-nobody": {"role": "provider"},
    "tok-admin": {"role": "admin", "authority": MARKET},
}
PERMIT = {"decision_no": "京市监许〔2025〕1号", "category": "普通", "decided_on": "2025-03-03",
          "published_on": "2025-03-05"}
PENALTY = {"decision_no": "京税罚〔2025〕9号", "severity": "general", "domain": "tax",
           "decided_on": "2025-03-03", "published_on": "2025-03-05", "category": "罚款",
           "basis": "《税收征收管理法》第六十条"}
LISTING = {"list": "black", "domain": "tax", "basis": "重大税收违法", "notified_on": "2025-04-20",
           "listed_on": "2025-05-06", "expires_on": "2028-05-06"}
COMMITMENT = {"type": "voluntary", "made_on": "2025-02-01", "content": "守法经营"}


@dataclass
class Api:
    client: TestClient
    ledger: CreditLedger

    def post(self, path: str, body: Any = None, *, token: str | None = "tok-tax",
             **kwargs: Any) -> httpx.Response:
        headers = ({"Authorization": f"Bearer {token}"} if token else {}) | kwargs.pop(
            "headers", {})
        if "content" not in kwargs:
            kwargs["json"] = body
        return self.client.post(path, headers=headers, **kwargs)

    def ok(self, path: str, body: Any, status: int = 201, **kwargs: Any) -> dict[str, Any]:
        response = self.post(path, body, **kwargs)
        assert response.status_code == status, response.text
        return dict(response.json())

    def refused(self, status: int, path: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        """The request is refused with problem+json, and the store is left exactly as it was."""
        before = self.ledger.head_position()
        response = self.post(path, body, **kwargs)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert self.ledger.head_position() == before
        return dict(response.json())

    def stored(self) -> list[dict[str, Any]]:
        notifications = self.ledger.recorder.select_notifications(start=1, limit=10_000)
        return [envelope_from_notification(n) for n in notifications]


@pytest.fixture
def api(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Api]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    with TestClient(create_app(runtime)) as client:
        yield Api(client, runtime.ledger)


@pytest.fixture
def acme(api: Api) -> Api:
    api.ok("/v1/subjects", {"code": ACME, "name": "北京某某科技有限公司", "kind": "enterprise"})
    return api


def fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem["errors"]}


# -- happy paths ---------------------------------------------------------------------


def test_registering_a_subject_answers_its_position_and_a_replay_the_same_body(api: Api) -> None:
    body = {"code": ACME.lower(), "name": "北京某某科技有限公司", "kind": "enterprise"}
    first = api.ok("/v1/subjects", body)
    assert first["position"] == 1 and first["version"] == 1
    assert first["type"] == "SubjectRegistered" and first["subject"] == ACME
    assert first["hash"] == api.stored()[0]["hash"]
    # The department's retry gets the same answer with 200, and nothing new is stored.
    assert api.ok("/v1/subjects", body, status=200) == first
    assert api.ledger.head_position() == 1


def test_a_pilot_code_failing_its_check_is_recorded_only_on_explicit_override(api: Api) -> None:
    pilot = {"code": "91350100M000100Y4Z", "name": "福建试点企业", "kind": "enterprise"}
    api.refused(422, "/v1/subjects", pilot)
    receipt = api.ok("/v1/subjects", pilot | {"allow_invalid_code": True})
    assert receipt["subject"] == "91350100M000100Y4Z" and receipt["code_check_failed"] is True
    assert api.stored()[0]["data"]["code_check_failed"] is True


def test_permits_and_penalties_are_published_with_their_timeliness(acme: Api) -> None:
    permit = acme.ok(f"/v1/subjects/{ACME}/permits", PERMIT | {
        "certificate_no": "JY11105000000001", "valid_from": "2025-03-03",
        "valid_to": "2030-03-02", "data_source_unit": "市市场监管局"})
    assert (permit["position"], permit["type"], permit["late"]) == (2, "PermitGranted", False)
    assert acme.ok(f"/v1/subjects/{ACME}/permits", PERMIT | {
        "certificate_no": "JY11105000000001", "valid_from": "2025-03-03",
        "valid_to": "2030-03-02", "data_source_unit": "市市场监管局"}, status=200) == permit
    # Published twelve working days after the decision: recorded, and marked late.
    penalty = acme.ok(f"/v1/subjects/{ACME}/penalties", PENALTY | {
        "published_on": "2025-03-19", "fine_amount": "5000.5", "party_name": "北京某某科技有限公司",
        "legal_representative": "张三", "violation_type": "逃避缴纳税款", "facts": "少缴税款"})
    assert penalty["late"] is True
    assert (penalty["rule_set"], penalty["publicity_min_until"],
            penalty["publicity_max_until"]) == ("NDRC-2023-58", "2025-06-03", "2028-03-03")
    data = acme.stored()[-1]["data"]
    assert data["fine_amount"] == "5000.50" and data["violation_type"] == "逃避缴纳税款"
    assert acme.stored()[-1]["authority"] == TAX and acme.stored()[-1]["actor"] == "tax-clerk"


def test_a_black_listing_ends_the_red_listing_and_is_removed_by_its_authority(acme: Api) -> None:
    red = acme.ok(f"/v1/subjects/{ACME}/listings", LISTING | {
        "list": "red", "listed_on": "2024-03-01", "notified_on": "2024-02-20",
        "expires_on": None}, token="tok-market")
    black = acme.ok(f"/v1/subjects/{ACME}/listings", LISTING | {
        "removal_conditions": "补缴税款并满一年"})
    assert black["type"] == "Listed" and black["listing_id"] != red["listing_id"]
    ended = acme.stored()[-1]
    assert ended["type"] == "Delisted" and ended["data"]["listing_id"] == red["listing_id"]
    removal = acme.ok(f"/v1/subjects/{ACME}/listings/{black['listing_id']}/removal",
                      {"delisted_on": "2025-09-01", "reason": "revoked"})
    assert removal["type"] == "Delisted" and removal["position"] == acme.ledger.head_position()


def test_commitments_are_made_then_kept_or_broken(acme: Api) -> None:
    made = acme.ok(f"/v1/subjects/{ACME}/commitments", COMMITMENT | {"due_on": "2025-12-31"})
    assert made["type"] == "CommitmentMade"
    assert acme.ok(f"/v1/subjects/{ACME}/commitments", COMMITMENT | {"due_on": "2025-12-31"},
                   status=200) == made
    kept = acme.ok(f"/v1/subjects/{ACME}/commitments/{made['commitment_id']}/fulfilment",
                   {"on": "2025-06-01", "note": "按期履行"})
    assert kept["type"] == "CommitmentFulfilled"
    assert kept["commitment_id"] == made["commitment_id"]
    other = acme.ok(f"/v1/subjects/{ACME}/commitments", COMMITMENT | {"type": "repair"})
    broken = acme.ok(f"/v1/subjects/{ACME}/commitments/{other['commitment_id']}/breach",
                     {"on": "2025-07-01"})
    assert broken["type"] == "CommitmentBreached"


def test_a_person_is_registered_by_pseudonym_and_their_number_is_never_echoed(
        acme: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    person = {"code": PERSON_ID, "name": "张三", "kind": "natural_person"}
    response = acme.post("/v1/subjects", person)
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["subject"].startswith("p-") and receipt["masked"] == "110**************X"
    # The person is addressed by pseudonym; as a principal the number travels in the body only.
    made = acme.post(f"/v1/subjects/{receipt['subject']}/commitments", COMMITMENT)
    linked = acme.post(f"/v1/subjects/{ACME}/principals",
                       {"principal": PERSON_ID, "role": "legal_representative", "name": "张三",
                        "since": "2020-01-06"})
    assert made.status_code == linked.status_code == 201
    assert linked.json()["principal"] == receipt["subject"]
    stored = json.dumps(acme.stored(), ensure_ascii=False)
    for text in (response.text, made.text, linked.text, stored, caplog.text):
        assert PERSON_ID not in text and PERSON_ID[:17] not in text


# -- refusals: each one leaves the store as it was ---------------------------------------

WRITES = [
    ("/v1/subjects", {"code": ACME, "name": "Acme", "kind": "enterprise"}),
    (f"/v1/subjects/{ACME}/principals",
     {"principal": MARKET, "role": "responsible_person", "since": "2020-01-06"}),
    (f"/v1/subjects/{ACME}/permits", PERMIT),
    (f"/v1/subjects/{ACME}/penalties", PENALTY),
    (f"/v1/subjects/{ACME}/listings", LISTING),
    (f"/v1/subjects/{ACME}/listings/some-listing/removal",
     {"delisted_on": "2025-09-01", "reason": "error"}),
    (f"/v1/subjects/{ACME}/commitments", COMMITMENT),
    (f"/v1/subjects/{ACME}/commitments/some-commitment/fulfilment", {"on": "2025-06-01"}),
    (f"/v1/subjects/{ACME}/commitments/some-commitment/breach", {"on": "2025-06-01"}),
]


def test_no_token_or_an_unknown_one_is_401_on_every_write(api: Api) -> None:
    for path, body in WRITES:
        problem = api.refused(401, path, body, token=None)
        assert problem["status"] == 401
        api.refused(401, path, body, token="not-a-token")
        before = api.ledger.head_position()
        basic = api.client.post(path, json=body, headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert basic.status_code == 401 and api.ledger.head_position() == before
    # A bad body does not get past authentication either.
    api.refused(401, "/v1/subjects", {"code": "bad"}, token=None)


def test_other_roles_and_tokens_without_an_authority_are_403_on_every_write(api: Api) -> None:
    for path, body in WRITES:
        for token in ("tok-officer", "tok-auditor", "tok-nobody"):
            api.refused(403, path, body, token=token)


def test_an_unknown_subject_is_404_on_every_subject_write(api: Api) -> None:
    for path, body in WRITES[1:]:
        problem = api.refused(404, path.replace(ACME, "9144030071526726XG"), body)
        assert problem["rule"] == "not_found"


def test_an_unknown_listing_or_commitment_is_404(acme: Api) -> None:
    for path, body in WRITES[5:6] + WRITES[7:]:
        assert acme.refused(404, path, body)["errors"][0]["field"] in ("listing_id",
                                                                          "commitment_id")


def test_conflicting_resubmissions_are_409(acme: Api) -> None:
    base = f"/v1/subjects/{ACME}"
    acme.ok(f"{base}/permits", PERMIT)
    acme.ok(f"{base}/penalties", PENALTY)
    acme.ok(f"{base}/listings", LISTING)
    made = acme.ok(f"{base}/commitments", COMMITMENT)
    acme.ok(f"{base}/commitments/{made['commitment_id']}/breach", {"on": "2025-03-01"})
    problem = acme.refused(409, f"{base}/permits", PERMIT | {"category": "特殊"})
    assert problem["rule"] == "conflict" and fields(problem) == {"decision_no"}
    acme.refused(409, f"{base}/penalties", PENALTY | {"severity": "serious"})
    acme.refused(409, f"{base}/listings", LISTING | {"basis": "另一依据"})
    acme.refused(409, "/v1/subjects", {"code": ACME, "name": "另一家公司", "kind": "enterprise"})
    settled = acme.refused(409, f"{base}/commitments/{made['commitment_id']}/fulfilment",
                           {"on": "2025-03-02"})
    assert settled["rule"] == "wrong_state"


def test_a_body_over_one_mebibyte_is_413(acme: Api) -> None:
    path = f"/v1/subjects/{ACME}/penalties"
    huge = PENALTY | {"facts": "违" * 400_000}  # 1.2 MB of UTF-8
    problem = acme.refused(413, path, huge)
    assert problem["status"] == 413
    # Streamed without a Content-Length, the count still stops it.
    payload = json.dumps(huge).encode()
    chunks = (payload[i:i + 65_536] for i in range(0, len(payload), 65_536))
    acme.refused(413, path, content=chunks, headers={"Content-Type": "application/json"})
    # The same penalty with ordinary facts goes through.
    acme.ok(path, PENALTY | {"facts": "违" * 3_000})


@pytest.mark.parametrize(("code", "rule", "expected"), [
    ("91350100M000100Y4Z", "check_character", "3"),
    ("91350100M000100Y5Z", "org_code_check", "4"),
    ("91350100MO00100Y43", "alphabet", None),
    ("9135010", "length", None),
])
def test_a_bad_uscc_is_422_naming_the_failed_check_and_the_expected_character(
        api: Api, code: str, rule: str, expected: str | None) -> None:
    body = {"code": code, "name": "某公司", "kind": "enterprise"}
    problem = api.refused(422, "/v1/subjects", body)
    [error] = problem["errors"]
    assert (error["field"], error["rule"], error.get("expected")) == ("code", rule, expected)


def test_a_bad_principal_code_is_422_naming_the_field(acme: Api) -> None:
    problem = acme.refused(422, f"/v1/subjects/{ACME}/principals", {
        "principal": "91350100M000100Y4Z", "role": "legal_representative", "since": "2020-01-06"})
    assert problem["errors"][0] | {"message": ""} == {
        "field": "principal", "rule": "check_character", "expected": "3", "message": ""}


def test_bad_enums_dates_and_unknown_fields_are_422_naming_each_field(acme: Api) -> None:
    base = f"/v1/subjects/{ACME}"
    problem = acme.refused(422, f"{base}/penalties", {
        "decision_no": "X-1", "severity": "grave", "domain": "roads", "decided_on": "2025/03/03",
        "published_on": 1741132800, "basis": "法", "fine_amount": "12.345", "special": "yes",
        "colour": "red"})
    assert fields(problem) == {"severity", "domain", "decided_on", "published_on", "category",
                               "fine_amount", "special", "colour"}
    assert problem["detail"].startswith("invalid fields:")
    listing = acme.refused(422, f"{base}/listings", {
        "list": "grey", "domain": "tax", "basis": "b", "notified_on": "2025-02-30",
        "listed_on": "2025-05-06"})
    assert fields(listing) == {"list", "notified_on", "expires_on"}
    assert fields(acme.refused(422, f"{base}/commitments", {
        "type": "pinky_swear", "made_on": "2025-06-01", "content": "c",
        "due_on": "2025-05-01"})) == {"type", "due_on"}
    assert fields(acme.refused(422, f"{base}/permits", PERMIT | {
        "valid_from": "2025-03-03", "valid_to": "2025-03-02"})) == {"valid_to"}
    assert fields(acme.refused(422, "/v1/subjects", {
        "code": ACME, "name": "", "kind": "company"})) == {"name", "kind"}
    assert fields(acme.refused(422, f"{base}/listings/x/removal", {
        "delisted_on": "2025-09-01", "reason": "bored"})) == {"reason"}
    assert acme.refused(422, f"{base}/permits", content=b"{not json",
                        headers={"Content-Type": "application/json"})["status"] == 422


def test_ledger_rules_are_422_naming_the_field_and_rule(acme: Api) -> None:
    base = f"/v1/subjects/{ACME}"
    cases = [
        (f"{base}/permits", PERMIT | {"decided_on": "2025-11-21", "published_on": "2025-11-21"},
         "decided_on", "date_in_future"),
        (f"{base}/penalties", PENALTY | {"published_on": "2025-03-02"},
         "published_on", "date_order"),
        (f"{base}/listings", LISTING | {"notified_on": "2025-05-07"}, "notified_on",
         "date_order"),
        (f"{base}/listings", LISTING | {"expires_on": "2025-05-06"}, "expires_on", "date_order"),
    ]
    for path, body, field, rule in cases:
        problem = acme.refused(422, path, body)
        assert (fields(problem), problem["rule"]) == ({field}, rule)
    black = acme.ok(f"{base}/listings", LISTING)
    red = acme.refused(422, f"{base}/listings",
                       LISTING | {"list": "red", "listed_on": "2025-06-01"}, token="tok-market")
    assert fields(red) == {"list"}
    missing_docs = acme.refused(422, f"{base}/commitments", COMMITMENT | {
        "type": "missing_documents"})
    assert fields(missing_docs) == {"type"}
    removal = f"{base}/listings/{black['listing_id']}/removal"
    # Only the listing authority takes a subject off its list; the refusal names it.
    other = acme.refused(403, removal, {"delisted_on": "2025-09-01", "reason": "repaired"},
                         token="tok-market")
    assert (other["rule"], other["owner"]) == ("owner_only", TAX) and TAX in other["detail"]
    # An administrator may correct any authority's listing.
    acme.ok(removal, {"delisted_on": "2025-09-01", "reason": "error"}, token="tok-admin")
    again = acme.refused(422, removal, {"delisted_on": "2025-09-02", "reason": "repaired"})
    assert again["rule"] == "not_listed"


def test_a_persons_number_is_never_echoed_in_refusals_or_logs(
        acme: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_check = PERSON_ID[:17] + "1"
    texts = []
    for body in ({"code": wrong_check, "name": "张三", "kind": "natural_person"},
                 {"code": PERSON_ID, "name": "张三", "kind": "enterprise"},
                 {"code": PERSON_ID + "0", "name": "张三", "kind": "professional"}):
        texts.append(json.dumps(acme.refused(422, "/v1/subjects", body), ensure_ascii=False))
    principal = acme.refused(422, f"/v1/subjects/{ACME}/principals", {
        "principal": wrong_check, "role": "legal_representative", "since": "2020-01-06"})
    assert principal["errors"][0]["expected"] == "X"
    texts.append(json.dumps(principal, ensure_ascii=False))
    for text in [*texts, caplog.text]:
        assert PERSON_ID[:17] not in text
