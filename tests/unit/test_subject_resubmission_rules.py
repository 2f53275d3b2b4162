"""Stories about a department sending a fact again: the same fact answers the same version
and records nothing; different content under the same decision number is a conflict."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.errors import Conflict
from tests.unit._subject_facts import MARKET, TAX, TODAY, acme, penalty, permit, types


def test_the_same_permit_resubmitted_answers_the_same_version_and_records_nothing() -> None:
    s = acme()
    # The market regulator publishes a permit, then its batch job sends it again.
    first = permit(s)
    again = permit(s)
    assert first == again == 2
    assert types(s.collect_events()) == ["PermitGranted"]


def test_a_different_payload_under_the_same_decision_number_is_a_conflict() -> None:
    s = acme()
    permit(s)
    s.collect_events()
    with pytest.raises(Conflict) as caught:
        permit(s, published_on=date(2025, 3, 6))
    assert caught.value.field == "decision_no"
    assert s.pending_events == [] and s.version == 2


def test_a_decision_number_is_unique_per_authority_not_globally() -> None:
    s = acme()
    # Two departments happen to number their decisions alike: two facts.
    assert permit(s, authority=MARKET) == 2
    assert permit(s, authority=TAX) == 3


def test_penalties_are_idempotent_and_conflict_like_permits() -> None:
    s = acme()
    assert penalty(s) == penalty(s) == 2
    with pytest.raises(Conflict):
        penalty(s, severity="serious")
    assert types(s.collect_events()) == ["PenaltyImposed"]


def test_principals_and_commitments_are_idempotent_too() -> None:
    s = acme()
    link = {"principal": "p-0123", "role": "legal_representative", "since": date(2020, 1, 6),
            "authority": MARKET, "actor": "clerk-1", "today": TODAY}
    assert s.link_principal(name="张三", **link) == s.link_principal(name="张三", **link)
    with pytest.raises(Conflict):
        s.link_principal(name="李四", **link)
    promise = {"authority": MARKET, "actor": "clerk-1", "commitment_type": "voluntary",
               "made_on": date(2025, 2, 1), "content": "守法经营", "due_on": None,
               "today": TODAY}
    assert s.make_commitment(**promise) == s.make_commitment(**promise)
    assert types(s.collect_events()) == ["PrincipalLinked", "CommitmentMade"]

