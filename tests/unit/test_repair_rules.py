"""Stories of credit repair: who may exit, when, by which deadline, and what ends by itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ledger.build import build_ledger, policy_from
from ledger.domain.errors import DomainError, WrongState
from ledger.domain.repair import RepairRuleBroken
from ledger.expiry import Expiry
from ledger.settings import Settings
from tests import calls as repairs
from tests.repair_story import ACME, BETA, MARKET, OFFICER, POLICY, City


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


def test_publicity_without_repair_ends_by_itself_exactly_once(tmp_path: Path) -> None:
    city = City.on(f"sqlite:///{tmp_path / 'l.sqlite3'}", "Expiry", today=date(2026, 11, 25))
    city.register(ACME)
    city.register(BETA, "Beta Trading Co.")
    minor = city.penalty(ACME, date(2026, 4, 10), severity="minor")  # new rules: 3 months
    city.penalty(ACME, date(2025, 11, 1), severity="general")  # old rules: until 2028-11-01
    black = city.listing(BETA, "black", date(2023, 6, 1))  # no expiry: black list max 3 years
    city.listing(BETA, "key_attention", date(2026, 1, 5), expires_on=date(2027, 1, 5))
    expiry = Expiry(city.ledger, POLICY)

    assert expiry.run(date(2026, 11, 25)) == {"penalty_publicity_ended": 1, "delisted": 1}
    # The minor penalty ended on 10 July, the day its maximum came, for the reason "expired".
    ended = city.ledger.subject(ACME).penalties[f"{MARKET}|{minor}"]
    assert (ended["status"], ended["ended_reason"]) == ("ended", "expired")
    assert city.ledger.subject(BETA).listings[black]["delisted_reason"] == "expired"
    # A second run, and a rerun from a fresh index, record nothing more.
    versions = (city.ledger.subject(ACME).version, city.ledger.subject(BETA).version)
    assert not expiry.run(date(2026, 11, 25))
    assert not Expiry(city.ledger, POLICY).run(date(2026, 11, 26))
    assert (city.ledger.subject(ACME).version, city.ledger.subject(BETA).version) == versions
    # Two years on, the rest comes due, each once.
    assert expiry.run(date(2028, 11, 1)) == {"penalty_publicity_ended": 1, "delisted": 1}
    assert city.types(ACME).count("PenaltyPublicityEnded") == 2
    assert city.types(BETA).count("Delisted") == 2


def test_what_was_repaired_does_not_expire_again(tmp_path: Path) -> None:
    city = City.on(f"sqlite:///{tmp_path / 'l.sqlite3'}", "Repaired")
    city.register(ACME)
    decision = city.penalty(ACME, date(2026, 4, 10), severity="minor")
    case = city.apply(ACME, decision, date(2026, 5, 1),
                      commitment_id=city.commitment(ACME, date(2026, 5, 1)))
    city.approve(city.accept(case, date(2026, 5, 6)), date(2026, 5, 7))
    assert not Expiry(city.ledger, POLICY).run(date(2026, 11, 25))
    assert city.types(ACME).count("PenaltyPublicityEnded") == 1
    # And an expired penalty cannot be "repaired" afterwards.
    late = city.apply(ACME, decision, date(2026, 11, 20))
    assert city.case_events(late)[-1].data["rule"] == "target_not_public"


# -- properties -------------------------------------------------------------------------------

COMMITMENTS = st.sampled_from(["none", "repair", "voluntary", "repair_then_breached"])


@settings(max_examples=40, deadline=None)
@given(kind=COMMITMENTS, link_at_filing=st.booleans())
def test_nothing_is_approved_without_a_repair_commitment(kind: str, link_at_filing: bool) -> None:
    city = City.in_memory()
    city.register(ACME)
    decision = city.penalty(ACME, date(2026, 4, 1))
    cid = None if kind == "none" else city.commitment(
        ACME, date(2026, 8, 1), kind="voluntary" if kind == "voluntary" else "repair")
    case = None
    try:
        case = city.apply(ACME, decision, date(2026, 9, 1),
                          commitment_id=cid if link_at_filing else None)
        if cid and not link_at_filing:
            repairs.link_commitment(city.ledger, str(case.id), commitment_id=cid, by=OFFICER)
        case = city.accept(case, date(2026, 9, 2))
        if kind == "repair_then_breached":
            assert cid is not None
            city.breach(ACME, cid, date(2026, 9, 3))
        before = city.ledger.subject(ACME).version
        try:
            case = city.approve(case, date(2026, 9, 4))
        except RepairRuleBroken:
            assert city.ledger.subject(ACME).version == before  # a refused approval changes nothing
    except RepairRuleBroken as e:
        assert e.rule == "repair_commitment"
    approved = case is not None and case.status == "approved"
    assert approved == (kind == "repair")
    if approved:
        assert case is not None and case.commitment_id == cid


TARGETS = st.lists(st.tuples(st.sampled_from(["minor", "general", "serious", "black",
                                               "key_attention"]),
                             st.dates(date(2023, 1, 1), date(2026, 6, 30))),
                   min_size=1, max_size=4)
STEPS = st.lists(st.tuples(st.integers(0, 3), st.dates(date(2026, 7, 1), date(2026, 11, 20)),
                           st.sampled_from(["approve", "reject", "approve", "leave"])),
                 min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(targets=TARGETS, steps=STEPS)
def test_every_approved_case_ends_exactly_one_publicity_or_listing(targets, steps) -> None:
    city = City.in_memory()
    city.register(ACME)
    domains = ["tax", "finance", "price", "tourism"]
    refs = [city.listing(ACME, what, on, domain=domains[i]) if what in ("black", "key_attention")
            else city.penalty(ACME, on, severity=what) for i, (what, on) in enumerate(targets)]
    cid = city.commitment(ACME, date(2026, 6, 30))
    approved = []
    for n, (pick, on, outcome) in enumerate(steps):
        try:
            case = city.apply(ACME, refs[pick % len(refs)], on, commitment_id=cid)
            case = city.accept(case, on)
            if outcome == "approve":
                approved.append(city.approve(case, on))
            elif outcome == "reject":
                city.reject(case, on, f"reason {n}")
        except DomainError:
            pass  # inadmissible, already ended, or a second application the same day
    event(f"approvals: {min(len(approved), 2)}")
    ended = [e for e in city.ledger.events.get(city.ledger.subject(ACME).id)
             if type(e).__name__ in ("PenaltyPublicityEnded", "Delisted")
             and e.data["reason"] == "repaired"]
    assert len(ended) == len(approved)
    ended_targets = [e.data.get("listing_id") or e.data["decision_no"] for e in ended]
    assert sorted(ended_targets) == sorted(c.target_id for c in approved)
    assert len(set(ended_targets)) == len(ended_targets)


def test_a_city_may_set_its_own_periods_and_non_repairable_conduct(tmp_path: Path) -> None:
    policy_file = tmp_path / "repair-policy.json"
    policy_file.write_text(json.dumps({"listing_min_months": {"black": 12, "black:tax": 24},
                                       "non_repairable": ["tax_fraud"]}))
    policy = policy_from(Settings(repair_policy_file=policy_file, repair_decision_days=5))
    assert policy.decision_days == 5 and policy.is_non_repairable("Tax Fraud")
    assert not policy.is_non_repairable("illegal_fund_raising")
    city = City.in_memory()
    city.register(ACME)
    # The tax black list waits two years here; the finance black list keeps one.
    tax = city.listing(ACME, "black", date(2025, 6, 1), domain="tax")
    finance = city.listing(ACME, "black", date(2025, 6, 1), domain="finance")
    tax_case = repairs.apply(city.ledger, subject=ACME, target=tax, applied_on=date(2026, 7, 1),
                             obligations_performed=True, by=OFFICER, policy=policy)[1]
    finance_case = repairs.apply(city.ledger, subject=ACME, target=finance,
                                 applied_on=date(2026, 7, 1), obligations_performed=True,
                                 by=OFFICER, policy=policy)[1]
    assert (tax_case.status, finance_case.status) == ("refused", "applied")
    policy_file.write_text(json.dumps({"listing_min_monthz": {}}))
    with pytest.raises(ValueError, match="listing_min_monthz"):
        policy_from(Settings(repair_policy_file=policy_file))


def test_a_city_sets_the_notice_before_a_listing_in_the_policy_file(tmp_path: Path) -> None:
    policy_file = tmp_path / "repair-policy.json"
    assert policy_from(Settings()).listing_notice_days == 5
    policy_file.write_text(json.dumps({"listing_notice_days": 10}))
    assert policy_from(Settings(repair_policy_file=policy_file)).listing_notice_days == 10
    # The ledger a process builds decides listings (API and import alike) by that file.
    ledger = build_ledger(Settings(repair_policy_file=policy_file,
                                   database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}"))
    assert ledger.policy.listing_notice_days == 10
    ledger.close()
    for bad in (-1, 61, "5", 2.5, True):
        policy_file.write_text(json.dumps({"listing_notice_days": bad}))
        with pytest.raises(ValueError, match="listing_notice_days"):
            policy_from(Settings(repair_policy_file=policy_file))
