"""A Chinese label is accepted wherever a code is, in every write contract: the API's bodies,
NDJSON records and CSV rows validate through the same models and store the same codes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ledger.contracts.records import (
    CommitmentIn,
    ListingIn,
    PenaltyIn,
    PrincipalIn,
    RemovalIn,
    SubjectIn,
)

PENALTY = {"decision_no": "罚1", "severity": "general", "domain": "price",
           "decided_on": "2026-11-02", "published_on": "2026-11-04", "category": "罚款",
           "basis": "《价格法》"}


def test_labels_become_codes_in_every_body() -> None:
    penalty = PenaltyIn.model_validate(PENALTY | {"severity": "严重", "domain": " 流通 "})
    assert (penalty.severity.value, penalty.domain.value) == ("serious", "circulation")
    listing = ListingIn.model_validate({
        "list": "重点关注名单", "domain": "政府采购", "basis": "b", "notified_on": "2026-11-02",
        "listed_on": "2026-11-16", "expires_on": "2028-11-16"})
    assert (listing.list_name.value, listing.domain.value) == ("key_attention",
                                                               "procurement_bidding")
    assert SubjectIn.model_validate({"code": "91211103MA0TPL015B", "name": "x",
                                     "kind": "个体工商户"}).kind.value == "individual_business"
    assert CommitmentIn.model_validate({"type": "信用修复型", "made_on": "2026-11-02",
                                        "content": "c"}).commitment_type.value == "repair"
    assert RemovalIn.model_validate({"delisted_on": "2026-11-02",
                                     "reason": "认定错误"}).reason.value == "error"
    assert PrincipalIn.model_validate({"principal": "91211103MA0TPL015B", "role": "法定代表人",
                                       "since": "2026-01-02"}).role.value == \
        "legal_representative"
    # Codes still read as codes, and the stored form (the event's data) is always the code.
    assert PenaltyIn.model_validate(PENALTY).model_dump(mode="json")["domain"] == "price"


def test_an_unknown_word_is_refused_naming_the_field_and_every_choice() -> None:
    with pytest.raises(ValidationError) as e:
        PenaltyIn.model_validate(PENALTY | {"domain": "流通业"})
    [error] = e.value.errors()
    assert error["loc"] == ("domain",) and error["type"] == "enum"
    assert "'流通业' is not one of: production (生产), circulation (流通)" in error["msg"]
    assert "false_certification (假承诺假证明假证件)" in error["msg"]


def test_the_published_schema_still_lists_the_codes() -> None:
    schema = PenaltyIn.model_json_schema()
    assert "circulation" in schema["$defs"]["Domain"]["enum"]
    assert "流通" not in str(schema)
