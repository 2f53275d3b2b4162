"""Stories about the rules of a new listing: notice, period, one at a time, exits by repair."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.listing_rules import AlreadyListed, ListingRuleBroken, RepairOnly
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject

TODAY = date(2026, 11, 20)
CALENDAR = WorkingCalendar.default()
TAX = "11110000000013120X"
COURT = "11100000000016032D"


def subject() -> Subject:
    s = Subject.register(code="91110000600037341L", name="北京某某科技有限公司",
                         kind="enterprise", masked=None, authority=TAX, actor="clerk-1",
                         registered_on=date(2020, 1, 6))
    s.collect_events()
    return s


def put(s: Subject, list_name: str = "black", *, domain: str = "tax",
        notified_on: date = date(2025, 9, 1), listed_on: date = date(2025, 9, 15),
        expires_on: date | None = date(2027, 9, 15), authority: str = TAX,
        policy: RepairPolicy | None = None) -> tuple[int, str]:
    return s.put_on_list(authority=authority, actor="officer-7", list_name=list_name,
                         domain=domain, basis="重大税收违法", notified_on=notified_on,
                         listed_on=listed_on, expires_on=expires_on, removal_conditions="",
                         today=TODAY, policy=policy or RepairPolicy(), calendar=CALENDAR)


def refused(rule: str, field: str, **kw: Any) -> str:
    """The listing is refused for `rule` on `field`, and nothing is recorded."""
    s = subject()
    with pytest.raises(ListingRuleBroken) as caught:
        put(s, **kw)
    assert (caught.value.rule, caught.value.field) == (rule, field)
    assert s.pending_events == []
    return caught.value.message


# -- prior notice -------------------------------------------------------------------------


def test_notice_on_the_listing_day_is_no_notice() -> None:
    message = refused("prior_notice", "notified_on", notified_on=date(2025, 9, 15))
    # Monday the 15th: five working days later is Monday the 22nd.
    assert "earliest acceptable listed_on for this notice is 2025-09-22" in message
    assert "or notify by 2025-09-08" in message


def test_notice_counts_working_days_across_the_national_day_holiday() -> None:
    # Notice on 30 September 2025; 1-8 October are holidays, Saturday the 11th is worked:
    # the fifth working day after is Tuesday 14 October.
    message = refused("prior_notice", "notified_on", notified_on=date(2025, 9, 30),
                      listed_on=date(2025, 10, 13))
    assert "gives 4 working day(s)" in message and "is 2025-10-14" in message
    version, _ = put(subject(), notified_on=date(2025, 9, 30), listed_on=date(2025, 10, 14))
    assert version == 2


def test_a_city_sets_its_own_notice() -> None:
    same_day = RepairPolicy(listing_notice_days=0)
    assert put(subject(), notified_on=date(2025, 9, 15), policy=same_day)[0] == 2
    longer = RepairPolicy(listing_notice_days=15)
    with pytest.raises(ListingRuleBroken):
        put(subject(), policy=longer)  # ten working days' notice


# -- the period ---------------------------------------------------------------------------


@pytest.mark.parametrize("list_name", ["black", "key_attention"])
def test_a_dishonesty_listing_states_its_expiry(list_name: str) -> None:
    message = refused("expires_on_required", "expires_on", list_name=list_name, expires_on=None)
    assert "at most 2028-09-15" in message or "at most 2027-09-15" in message


@pytest.mark.parametrize(("list_name", "latest"), [("black", date(2028, 9, 15)),
                                                  ("key_attention", date(2027, 9, 15))])
def test_the_expiry_is_within_the_policy_maximum(list_name: str, latest: date) -> None:
    for beyond in (date(9999, 12, 31), date.fromordinal(latest.toordinal() + 1)):
        message = refused("listing_max_period", "expires_on", list_name=list_name,
                          expires_on=beyond)
        assert f"the latest allowed is {latest}" in message
    assert put(subject(), list_name, expires_on=latest)[0] == 2


def test_a_domain_may_have_its_own_maximum_and_red_lists_are_open_ended_unless_set() -> None:
    policy = RepairPolicy(listing_max_months={"black": 36, "black:tax": 60, "key_attention": 24})
    assert put(subject(), expires_on=date(2030, 9, 15), policy=policy)[0] == 2
    assert put(subject(), "red", expires_on=None)[0] == 2
    reviewed = RepairPolicy(listing_max_months={"black": 36, "red": 12})
    with pytest.raises(ListingRuleBroken) as caught:
        put(subject(), "red", expires_on=None, policy=reviewed)
    assert caught.value.rule == "expires_on_required" and "2026-09-15" in caught.value.message


# -- one at a time ------------------------------------------------------------------------


def test_a_second_listing_on_the_same_list_and_domain_names_the_first() -> None:
    s = subject()
    version, first = put(s)
    # The same listing again is the same fact: no new event.
    assert put(s) == (version, first) and s.version == version
    # Another authority, another day: still the same list and domain while the first runs.
    with pytest.raises(AlreadyListed) as caught:
        put(s, authority=COURT, notified_on=date(2026, 1, 5), listed_on=date(2026, 2, 2))
    assert caught.value.listing_id == first and first in caught.value.message
    assert caught.value.members() == {"listing_id": first} and caught.value.status == 409
    # An earlier listing (recorded late) that ended the day the first began does not meet it.
    put(s, notified_on=date(2024, 1, 2), listed_on=date(2024, 1, 15),
        expires_on=date(2025, 9, 15))
    # Other domains and other lists are other listings.
    put(s, domain="finance")
    put(s, "key_attention", listed_on=date(2025, 9, 16), expires_on=date(2026, 9, 16))
    assert len(s.active_listings()) == 4


def test_once_the_first_has_expired_or_gone_a_new_listing_may_follow() -> None:
    s = subject()
    put(s, expires_on=date(2026, 3, 2))
    # No expiry was recorded: the first listing is still "active" in the aggregate, but its
    # period is over, so it neither blocks a new one nor is shown on the new one's day.
    put(s, notified_on=date(2026, 2, 23), listed_on=date(2026, 3, 2),
        expires_on=date(2027, 3, 2))
    assert len(s.active_listings("black")) == 2
    assert len(s.active_listings("black", date(2026, 3, 2))) == 1


# -- exits by repair ----------------------------------------------------------------------


def test_the_listing_authority_cannot_call_its_removal_a_repair() -> None:
    s = subject()
    _, listing = put(s)
    s.collect_events()
    with pytest.raises(RepairOnly) as caught:
        s.remove_from_list(listing_id=listing, authority=TAX, actor="officer-7",
                           delisted_on=date(2026, 10, 1), reason="repaired", today=TODAY)
    assert (caught.value.status, caught.value.field) == (409, "reason")
    assert s.pending_events == [] and s.active_listings()
    # The repair desk's approval makes that removal, and says which case it was.
    s.delist_by_repair(listing_id=listing, case_id="case-1", delisted_on=date(2026, 10, 1),
                       authority="11211100MB1234567K", actor="officer-wang")
    [delisted] = s.collect_events()
    assert (delisted.data["reason"], delisted.data["note"]) == ("repaired", "repair case case-1")
