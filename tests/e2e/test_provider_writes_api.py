"""Departments record facts over HTTP: every write is answered with its position, a resent
write with the same answer, and a person's number is never echoed. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import logging

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

