"""Properties of credit repair over any sequence of cases: nothing is approved without a repair
commitment, and every approval ends exactly one publicity or listing."""

from __future__ import annotations

from datetime import date

from hypothesis import event, given, settings
from hypothesis import strategies as st

from ledger.domain.errors import DomainError
from ledger.domain.repair import RepairRuleBroken
from tests import calls as repairs
from tests.repair_story import ACME, OFFICER, City

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
