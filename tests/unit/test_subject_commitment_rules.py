"""Stories about a subject's commitments: who may promise what, and a commitment settled once."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.errors import NotFound, RuleViolation, WrongState
from tests.unit._subject_facts import MARKET, TODAY, acme, listing, types


def test_a_black_listed_subject_may_not_use_missing_documents_acceptance() -> None:
    s = acme()
    listing(s, "black")
    with pytest.raises(RuleViolation) as caught:
        s.make_commitment(authority=MARKET, actor="clerk-1", commitment_type="missing_documents",
                          made_on=date(2025, 6, 1), content="补齐材料", due_on=None, today=TODAY)
    assert caught.value.field == "type"


def test_a_commitment_is_settled_once() -> None:
    s = acme()
    _, cid = s.make_commitment(authority=MARKET, actor="clerk-1", commitment_type="repair",
                               made_on=date(2025, 6, 1), content="整改", due_on=None, today=TODAY)
    with pytest.raises(NotFound):
        s.settle_commitment(commitment_id="nope", kept=True, on=date(2025, 7, 1), note="",
                            authority=MARKET, actor="clerk-1", today=TODAY)
    s.settle_commitment(commitment_id=cid, kept=False, on=date(2025, 7, 1), note="未整改",
                        authority=MARKET, actor="clerk-1", today=TODAY)
    with pytest.raises(WrongState):
        s.settle_commitment(commitment_id=cid, kept=True, on=date(2025, 7, 2), note="",
                            authority=MARKET, actor="clerk-1", today=TODAY)
    assert types(s.collect_events()) == ["CommitmentMade", "CommitmentBreached"]

