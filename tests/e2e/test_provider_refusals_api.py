"""What a department may not send: conflicting resubmissions are 409, a body over 1 MiB is 413,
bad codes, enums, dates and ledger rules are 422 naming each field and rule; each refusal is
problem+json, stores nothing and never echoes a person's number. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.e2e._provider_helpers import (
    ACME,
    COMMITMENT,
    LISTING,
    PENALTY,
    PERMIT,
    PERSON_ID,
    TAX,
    Api,
)


def fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem["errors"]}


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
