"""Stories about list status: membership today and on any past date, per list and domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from projections import queries
from projections.storage import ViewStore
from projections.views.lists import VIEW as LISTS
from projections.views.profiles import VIEW as PROFILES
from tests.unit._envelopes import COURT, TAX, Story, feed_views, store_at

ACME, BETA = "91211100MA0T4Q1X23", "91211100MA0T4Q2A0Y"


def listing(story: Story, code: str, lid: str, list_name: str, domain: str, on: str,
            expires: str | None = None, authority: str = TAX) -> None:
    story.add(code, "Listed", on, {
        "listing_id": lid, "list": list_name, "domain": domain, "basis": "b",
        "notified_on": on, "listed_on": on, "expires_on": expires,
        "removal_conditions": "pays"}, authority=authority)


def delisting(story: Story, code: str, lid: str, list_name: str, domain: str, on: str,
              reason: str) -> None:
    story.add(code, "Delisted", on, {"listing_id": lid, "list": list_name, "domain": domain,
                                     "delisted_on": on, "reason": reason, "note": None})


def city() -> Story:
    story = Story()
    story.register(ACME, "Acme Chemicals Ltd")
    story.register(BETA, "Beta Trading Co")
    # Acme is red-listed, then black-listed: the black listing ends the red one that day.
    listing(story, ACME, "acme-red", "red", "tax", "2025-01-06")
    listing(story, ACME, "acme-black", "black", "tax", "2025-09-01", "2028-09-01")
    delisting(story, ACME, "acme-red", "red", "tax", "2025-09-01", "revoked")
    # A key-attention listing that simply expires, and a red listing that stays.
    listing(story, ACME, "acme-key", "key_attention", "production", "2025-02-03", "2026-01-05",
            authority=COURT)
    listing(story, BETA, "beta-red", "red", "price", "2025-05-05")
    return story


def members(store: ViewStore, list_name: str, day: str, domain: str | None = None,
            page: int = 1, size: int = 20) -> tuple[list[dict[str, Any]], int]:
    with store.reader() as tx:
        return queries.list_members(tx, list_name, domain, day, page, size)


def codes(store: ViewStore, list_name: str, day: str, domain: str | None = None) -> list[str]:
    return [m["code"] for m in members(store, list_name, day, domain)[0]]


def test_a_black_listing_ends_the_red_one(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], city().records())
    assert codes(store, "red", "2025-08-31") == [ACME, BETA]
    assert codes(store, "red", "2025-09-01") == [BETA]
    assert codes(store, "black", "2025-09-01") == [ACME]
    assert codes(store, "black", "2025-08-31") == []


def test_membership_on_any_past_date_follows_listing_and_expiry_dates(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], city().records())
    assert codes(store, "key_attention", "2025-02-02") == []
    assert codes(store, "key_attention", "2025-12-01") == [ACME]
    assert codes(store, "key_attention", "2026-01-05") == []  # expired, no event needed
    [row], total = members(store, "black", "2026-06-01")
    assert total == 1
    assert (row["name"], row["listed_on"], row["expires_on"]) == (
        "Acme Chemicals Ltd", "2025-09-01", "2028-09-01")


def test_members_per_domain(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed_views(store, [PROFILES, LISTS], city().records())
    assert codes(store, "red", "2026-06-01", "price") == [BETA]
    assert codes(store, "red", "2026-06-01", "tax") == []


def test_pages_are_bounded_and_complete(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    story = Story()
    for i in range(45):
        code = f"9121110000000{i:04d}X"
        story.register(code, f"Firm {i:02d}")
        listing(story, code, f"l-{i}", "black", "tax", f"2025-03-{1 + i % 28:02d}")
    feed_views(store, [PROFILES, LISTS], story.records())
    pages = [members(store, "black", "2026-06-01", page=p, size=20) for p in (1, 2, 3)]
    assert [len(items) for items, _ in pages] == [20, 20, 5]
    assert {total for _, total in pages} == {45}
    seen = [m["code"] for items, _ in pages for m in items]
    assert len(set(seen)) == 45
