"""Stories about the rules a credit subject enforces, with no services at all."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.envelope import broken_link, canonical_json
from ledger.domain.errors import (
    Conflict,
    DateRuleViolation,
    Forbidden,
    FutureDate,
    NotFound,
    NotListed,
    RuleViolation,
    WrongState,
)
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc

TODAY = date(2025, 11, 20)
CALENDAR = WorkingCalendar.default()
POLICY = RepairPolicy()
TAX = make_uscc("1", "1", "110000", "00001312")
MARKET = make_uscc("1", "1", "110000", "00002345")
ACME = "91110000600037341L"


def acme() -> Subject:
    subject = Subject.register(code=ACME, name="北京某某科技有限公司", kind="enterprise",
                               masked=None, authority=MARKET, actor="clerk-1",
                               registered_on=date(2020, 1, 6))
    subject.collect_events()
    return subject


def permit(s: Subject, *, authority: str = MARKET, decision_no: str = "京市监许〔2025〕1号",
           decided_on: date = date(2025, 3, 3), published_on: date = date(2025, 3, 5),
           details: dict[str, Any] | None = None) -> int:
    return s.grant_permit(authority=authority, actor="clerk-1", decision_no=decision_no,
                          category="普通", decided_on=decided_on, published_on=published_on,
                          details=details or {"content": "食品经营许可"}, today=TODAY,
                          calendar=CALENDAR)


def penalty(s: Subject, *, severity: str = "general", basis: str = "《税收征收管理法》第六十条",
            decided_on: date = date(2025, 3, 3), published_on: date = date(2025, 3, 5)) -> int:
    return s.impose_penalty(authority=TAX, actor="officer-7", decision_no="京税罚〔2025〕9号",
                            severity=severity, domain="tax", decided_on=decided_on,
                            published_on=published_on, category="罚款", basis=basis,
                            special=False, details={"fine_amount": "5000.00"}, today=TODAY,
                            calendar=CALENDAR)


def listing(s: Subject, list_name: str, *, authority: str = TAX, listed_on: date = date(2025, 5, 6),
            notified_on: date = date(2025, 4, 20), expires_on: date = date(2027, 5, 6),
            ) -> tuple[int, str]:
    return s.put_on_list(authority=authority, actor="officer-7", list_name=list_name,
                         domain="tax", basis="重大税收违法", notified_on=notified_on,
                         listed_on=listed_on, expires_on=expires_on,
                         removal_conditions="补缴税款并满一年", today=TODAY, policy=POLICY,
                         calendar=CALENDAR)


def delist(s: Subject, listing_id: str, *, authority: str = TAX,
           on: date = date(2025, 9, 1)) -> int:
    return s.remove_from_list(listing_id=listing_id, authority=authority, actor="officer-7",
                              delisted_on=on, reason="revoked", today=TODAY)


def types(events: Any) -> list[str]:
    return [type(e).__name__ for e in events]


# -- idempotent resubmission and conflicts -------------------------------------


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


# -- lists ---------------------------------------------------------------------


def test_listing_without_prior_notice_is_refused() -> None:
    s = acme()
    # The notice went out the day after the listing: the subject had no chance to answer.
    with pytest.raises(DateRuleViolation) as caught:
        listing(s, "black", notified_on=date(2025, 5, 7), listed_on=date(2025, 5, 6))
    assert caught.value.field == "notified_on"
    assert s.pending_events == []


def test_black_listing_ends_the_red_listing_in_the_same_save() -> None:
    s = acme()
    # The subject is red-listed for tax compliance.
    _, red = listing(s, "red", listed_on=date(2024, 3, 1), notified_on=date(2024, 2, 20))
    s.collect_events()
    # Then the tax bureau black-lists it: both facts leave in one batch of events.
    version, black = listing(s, "black")
    batch = s.collect_events()
    assert types(batch) == ["Listed", "Delisted"]
    assert version == batch[0].originator_version
    assert batch[1].data["listing_id"] == red and batch[1].data["reason"] == "revoked"
    assert batch[1].data["delisted_on"] == "2025-05-06"
    assert list(s.active_listings()) == [black]


def test_key_attention_listing_ends_the_red_listing_too() -> None:
    s = acme()
    listing(s, "red", listed_on=date(2024, 3, 1), notified_on=date(2024, 2, 20))
    listing(s, "key_attention")
    assert s.active_listings("red") == {}


def test_red_listing_is_refused_while_black_listed_and_allowed_after_removal() -> None:
    s = acme()
    _, black = listing(s, "black")
    with pytest.raises(RuleViolation) as caught:
        listing(s, "red", authority=MARKET, listed_on=date(2025, 6, 1))
    assert caught.value.field == "list"
    # Once the subject has left the black list, it may be red-listed.
    delist(s, black)
    version, _ = listing(s, "red", authority=MARKET, listed_on=date(2025, 10, 9))
    assert s.active_listings("red") and version == s.version


def test_delisting_what_is_not_listed_is_refused() -> None:
    s = acme()
    with pytest.raises(NotFound):
        delist(s, "no-such-listing")
    _, black = listing(s, "black")
    delist(s, black)
    with pytest.raises(NotListed):
        delist(s, black, on=date(2025, 9, 2))
    assert types(s.collect_events()) == ["Listed", "Delisted"]


def test_only_the_listing_authority_removes_a_listing_and_not_before_it_began() -> None:
    s = acme()
    _, black = listing(s, "black")
    with pytest.raises(Forbidden):
        delist(s, black, authority=MARKET)
    with pytest.raises(DateRuleViolation):
        delist(s, black, on=date(2025, 5, 5))
    assert s.active_listings("black")


# -- dates -----------------------------------------------------------------------


@pytest.mark.parametrize("write", [
    lambda s, d: permit(s, decided_on=d, published_on=d),
    lambda s, d: penalty(s, decided_on=TODAY, published_on=d),
    lambda s, d: listing(s, "black", listed_on=d, notified_on=TODAY - timedelta(days=10)),
    lambda s, d: s.make_commitment(authority=MARKET, actor="clerk-1", commitment_type="voluntary",
                                   made_on=d, content="守法经营", due_on=None, today=TODAY),
    lambda s, d: s.link_principal(principal="p-0123", role="legal_representative", name=None,
                                  since=d, authority=MARKET, actor="clerk-1", today=TODAY),
], ids=["permit", "penalty", "listing", "commitment", "principal"])
def test_no_fact_may_be_dated_tomorrow(write: Any) -> None:
    s = acme()
    with pytest.raises(FutureDate) as caught:
        write(s, TODAY + timedelta(days=1))
    assert caught.value.field in ("decided_on", "published_on", "listed_on", "made_on", "since")
    assert s.pending_events == []
    # Today itself is fine.
    write(s, TODAY)
    assert len(s.pending_events) == 1


def test_publication_before_the_decision_is_refused() -> None:
    s = acme()
    for write in (permit, penalty):
        with pytest.raises(DateRuleViolation) as caught:
            write(s, decided_on=date(2025, 3, 3), published_on=date(2025, 3, 2))
        assert caught.value.field == "published_on"
    assert s.pending_events == []


def test_late_publication_is_recorded_and_marked_late_across_the_national_day_holiday() -> None:
    s = acme()
    # Decided on 30 September 2025; 1-8 October are holidays, Saturday 11 October is worked.
    # The seventh working day after the decision is Thursday 16 October. A calendar without
    # 2025's published schedule knows only 1-3 October and weekends: it would say the 14th.
    assert WorkingCalendar().add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 14)
    on_time = permit(s, decision_no="A", decided_on=date(2025, 9, 30),
                     published_on=date(2025, 10, 16))
    late = permit(s, decision_no="B", decided_on=date(2025, 9, 30),
                  published_on=date(2025, 10, 17))
    granted = s.collect_events()
    assert (on_time, late) == (2, 3)
    assert [e.data["late"] for e in granted] == [False, True]


def test_a_penalty_carries_the_publicity_window_of_its_decision_date() -> None:
    s = acme()
    penalty(s, severity="serious", decided_on=date(2025, 3, 3), published_on=date(2025, 3, 5))
    [imposed] = s.collect_events()
    assert imposed.data["rule_set"] == "NDRC-2023-58"
    assert imposed.data["publicity_min_until"] == "2025-06-03"
    assert imposed.data["publicity_max_until"] == "2028-03-03"


# -- commitments ---------------------------------------------------------------------


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


# -- the hash chain ------------------------------------------------------------------


def plain_hash(envelope: dict[str, Any]) -> str:
    """What an auditor writes with the standard library alone (docs/events.md)."""
    body = {k: v for k, v in envelope.items() if k not in ("hash", "position")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def whole_history() -> list[Any]:
    s = Subject.register(code=ACME, name="北京某某科技有限公司", kind="enterprise", masked=None,
                         authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 6))
    permit(s)
    penalty(s)
    listing(s, "red", listed_on=date(2024, 3, 1), notified_on=date(2024, 2, 20))
    listing(s, "black")
    return list(s.collect_events())


def test_each_event_links_the_previous_events_hash() -> None:
    events = whole_history()
    assert types(events) == ["SubjectRegistered", "PermitGranted", "PenaltyImposed", "Listed",
                             "Listed", "Delisted"]
    assert events[0].prev_hash == ""
    for before, after in pairwise(events):
        assert after.prev_hash == before.hash
    assert broken_link([e.envelope() for e in events]) is None


def test_an_auditor_recomputes_every_hash_with_hashlib_and_json() -> None:
    for event in whole_history():
        envelope = event.envelope(position=42)
        assert plain_hash(envelope) == envelope["hash"] == event.hash


def test_rewriting_history_breaks_the_chain() -> None:
    envelopes = [e.envelope() for e in whole_history()]
    envelopes[2]["data"]["fine_amount"] = "50.00"
    assert broken_link(envelopes) == (3, "hash does not match the event's content")
    # Re-sealing the edited event does not help: the next event still names the old hash.
    envelopes[2]["hash"] = plain_hash(envelopes[2])
    assert broken_link(envelopes) == (4, "prev_hash does not match the previous event's hash")


# Event data is JSON-native by construction: no floats (amounts travel as decimal strings).
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | text
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20)


@given(json_values)
def test_canonical_form_is_the_plain_json_form(value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected.encode("utf-8")


@settings(max_examples=50)
@given(st.dictionaries(text, json_values, max_size=5))
def test_any_recorded_details_hash_the_same_for_an_auditor(details: dict[str, Any]) -> None:
    s = acme()
    permit(s, details=details or {"content": "许可"})
    [granted] = s.collect_events()
    assert plain_hash(granted.envelope()) == granted.hash
