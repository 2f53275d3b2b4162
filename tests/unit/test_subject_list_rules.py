"""Stories about the red, black and key-attention lists of one subject: notice before listing,
one list ending another, and who may take a subject off a list, and when."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.errors import DateRuleViolation, Forbidden, NotFound, NotListed, RuleViolation
from ledger.domain.subject import Subject
from tests.unit._subject_facts import MARKET, TAX, TODAY, acme, listing, types


def delist(s: Subject, listing_id: str, *, authority: str = TAX,
           on: date = date(2025, 9, 1)) -> int:
    return s.remove_from_list(listing_id=listing_id, authority=authority, actor="officer-7",
                              delisted_on=on, reason="revoked", today=TODAY)


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

