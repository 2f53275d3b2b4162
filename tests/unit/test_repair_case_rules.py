"""Stories of a credit repair case: who may exit, when, and by which deadline the officer decides
and tells the authority; a decision that would break a rule changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.errors import WrongState
from ledger.domain.repair import RepairRuleBroken
from tests.repair_story import ACME, City


@pytest.fixture
def city() -> City:
    city = City.in_memory()
    city.register(ACME)
    return city


def test_a_general_penalty_is_repaired_after_three_months(city: City) -> None:
    # A general penalty decided on 6 May 2026 (new rules: public at least 3 months).
    decision = city.penalty(ACME, date(2026, 5, 6), severity="general")
    commitment = city.commitment(ACME, date(2026, 8, 3))
    # The subject applies on 10 August, its fine paid and a repair commitment made.
    case = city.apply(ACME, decision, date(2026, 8, 10), commitment_id=commitment)
    assert case.status == "applied"
    case = city.accept(case, date(2026, 8, 11))
    case = city.approve(case, date(2026, 8, 14))
    assert case.status == "approved"
    # The penalty stops being published, for the reason "repaired", recorded by the officer.
    penalty = next(iter(city.ledger.subject(ACME).penalties.values()))
    assert (penalty["status"], penalty["ended_reason"]) == ("ended", "repaired")
    assert city.types(ACME)[-1] == "PenaltyPublicityEnded"
    assert [type(e).__name__ for e in city.case_events(case)] == [
        "RepairApplied", "RepairAccepted", "RepairApproved"]


def test_one_day_short_of_three_months_is_refused_and_the_refusal_is_kept(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 5, 6), severity="general")
    case = city.apply(ACME, decision, date(2026, 8, 5))
    # The application is not lost: it is recorded, then refused with the rule that failed.
    assert case.status == "refused"
    refused = city.case_events(case)[-1]
    assert type(refused).__name__ == "RepairRefused"
    assert refused.data["rule"] == "minimum_publicity"
    assert "2026-08-06" in refused.data["reason"]


def test_a_serious_penalty_is_refused_before_a_year(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 10), severity="serious")
    case = city.apply(ACME, decision, date(2026, 11, 20))
    assert case.status == "refused"
    assert city.case_events(case)[-1].data["rule"] == "minimum_publicity"
    # The penalty is still published.
    assert next(iter(city.ledger.subject(ACME).penalties.values()))["status"] == "public"


def test_a_penalty_decided_before_april_2026_is_judged_by_the_old_rules(city: City) -> None:
    # Serious, decided 20 March 2026: Order 58 of 2023 asks only 3 months (the new rules, 1 year).
    decision = city.penalty(ACME, date(2026, 3, 20), severity="serious")
    commitment = city.commitment(ACME, date(2026, 7, 1))
    case = city.apply(ACME, decision, date(2026, 7, 1), commitment_id=commitment)
    case = city.approve(city.accept(case, date(2026, 7, 2)), date(2026, 7, 3))
    assert case.status == "approved"
    # Under the old rules work safety waited a year, whatever the severity.
    special = city.penalty(ACME, date(2025, 12, 1), domain="production", special=True)
    refused = city.apply(ACME, special, date(2026, 7, 1))
    assert refused.status == "refused"
    assert "NDRC-2023-58" in city.case_events(refused)[-1].data["reason"]


@pytest.mark.parametrize("conduct", ["illegal_fund_raising", "online fraud", "假劣疫苗"])
def test_especially_serious_conduct_cannot_be_repaired(city: City, conduct: str) -> None:
    decision = city.penalty(ACME, date(2026, 4, 1), violation_type=conduct)
    case = city.apply(ACME, decision, date(2026, 9, 1))
    assert case.status == "refused"
    refused = city.case_events(case)[-1]
    assert refused.data["rule"] == "non_repairable"
    assert "cannot be repaired" in refused.data["reason"]


def test_obligations_not_performed_and_no_commitment_stop_the_case(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 1))
    assert city.apply(ACME, decision, date(2026, 9, 1), performed=False).status == "refused"
    # Without a linked repair commitment an application cannot be accepted...
    case = city.apply(ACME, city.penalty(ACME, date(2026, 4, 2)), date(2026, 9, 1))
    with pytest.raises(RepairRuleBroken) as refused:
        city.accept(case, date(2026, 9, 2))
    assert refused.value.rule == "repair_commitment"
    # ...nor with a commitment of another type.
    voluntary = city.commitment(ACME, date(2026, 9, 1), kind="voluntary")
    with pytest.raises(RepairRuleBroken, match="not 'repair'"):
        city.apply(ACME, city.penalty(ACME, date(2026, 4, 3)), date(2026, 9, 1),
                   commitment_id=voluntary)


def test_a_case_decided_across_national_day_is_due_after_the_holiday(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 1))
    commitment = city.commitment(ACME, date(2026, 9, 1))
    case = city.apply(ACME, decision, date(2026, 9, 22), commitment_id=commitment)
    # Accepted Wednesday 23 September. Mid-Autumn (25-27 Sep) and National Day (1-7 Oct) are off,
    # Saturday 10 October is worked: ten working days end on Wednesday 14 October, not 7 October.
    case = city.accept(case, date(2026, 9, 23))
    assert case.decision_due == "2026-10-14"
    assert not case.is_overdue(date(2026, 10, 14))
    assert case.is_overdue(date(2026, 10, 15))
    # Decided late on 15 October: the approval says so, and the authority must be told within
    # 3 working days: 16 (Fri), 19 (Mon), 20 (Tue) October.
    city.clock.today = date(2026, 10, 15)
    case = city.approve(case, date(2026, 10, 15))
    approved = city.case_events(case)[-1].data
    assert (approved["late"], approved["notify_due"]) == (True, "2026-10-20")
    assert case.is_overdue(date(2026, 10, 21)) and not case.is_overdue(date(2026, 10, 20))


def test_informing_the_authority_on_an_adjusted_saturday_is_on_time(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 1))
    case = city.apply(ACME, decision, date(2026, 9, 28),
                      commitment_id=city.commitment(ACME, date(2026, 9, 1)))
    case = city.approve(city.accept(case, date(2026, 9, 29)), date(2026, 9, 30))
    # Decided on 30 September: 8 and 9 October, then Saturday 10 October (a working day).
    assert case.notify_due == "2026-10-10"


def test_nothing_changes_when_an_approval_would_break_a_rule(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 1))
    commitment = city.commitment(ACME, date(2026, 9, 1))
    case = city.accept(city.apply(ACME, decision, date(2026, 9, 1), commitment_id=commitment),
                       date(2026, 9, 2))
    # The subject breaks its repair commitment before the decision.
    city.breach(ACME, commitment, date(2026, 9, 3))
    before = (city.ledger.subject(ACME).version, len(city.case_events(case)))
    with pytest.raises(RepairRuleBroken, match="breached"):
        city.approve(case, date(2026, 9, 4))
    assert (city.ledger.subject(ACME).version, len(city.case_events(case))) == before
    # A rejection needs reasons; with them the case closes and the penalty stays public.
    with pytest.raises(RepairRuleBroken, match="reasons"):
        city.reject(case, date(2026, 9, 4), " ")
    assert city.reject(case, date(2026, 9, 4), "commitment breached").status == "rejected"
    with pytest.raises(WrongState):
        city.approve(case, date(2026, 9, 5))
    assert next(iter(city.ledger.subject(ACME).penalties.values()))["status"] == "public"

