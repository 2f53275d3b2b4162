"""Stories about the profile statement's sections on SQLite and PostgreSQL alike: a long
section shows its first SECTION_LIMIT rows and counts every visible one (one scan each), and a
reader that needs only some sections (the civil servant's 穿透) gets exactly those."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest

from projections import profile_sql
from projections.storage import POSTGRES, ViewStore
from projections.views.lists import VIEW as LISTS
from projections.views.profiles import VIEW as PROFILES
from tests.unit._envelopes import Story, feed_views
from tests.unit.test_views_profiles import (
    ACME,
    PERSON,
    commitment,
    led_by_person_and_black_listed,
    penalty,
    permit,
)

TODAY = "2026-06-01"
SHOWN, LAPSED, PERMITS = 120, 10, 105  # more than SECTION_LIMIT (100) shown and permitted


def day(n: int, start: date = date(2025, 1, 1)) -> str:
    return (start + timedelta(days=n)).isoformat()


def busy_story() -> Story:
    """Acme, led by a person: 120 penalties in their publicity window, 10 whose window
    lapsed, 105 permits, 3 commitments and a black-list entry."""
    story = Story()
    story.register(ACME, "Acme Chemicals Ltd")
    story.register(PERSON, "张三", kind="natural_person", masked="211**************4")
    for n in range(SHOWN):
        penalty(story, f"TAX-{n:03}", day(n), "2028-12-31")
    for n in range(LAPSED):
        penalty(story, f"OLD-{n:03}", day(n, date(2020, 1, 1)), "2023-01-01")
    for n in range(PERMITS):
        permit(story, f"P-{n:03}", day(n))
    for n in range(3):
        commitment(story, f"c-{n}", day(n))
    led_by_person_and_black_listed(story)
    return story


@pytest.fixture
def views(database_url: str, unique_name: str) -> Iterator[ViewStore]:
    store = ViewStore(database_url, unique_name.lower())
    try:
        feed_views(store, [PROFILES, LISTS], busy_story().records())
        yield store
    finally:
        store.close()
        if store.dialect == POSTGRES:
            with psycopg.connect(database_url, autocommit=True) as conn:
                for (name,) in conn.execute(
                        "SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                        (store.prefix + "\\_%",)).fetchall():
                    conn.execute(f'DROP TABLE "{name}"')


def test_a_long_section_shows_its_latest_hundred_and_counts_every_visible_row(
        views: ViewStore) -> None:
    with views.reader() as tx:
        acme = profile_sql.profile(tx, ACME, TODAY)
        person = profile_sql.profile(tx, PERSON, TODAY)
    assert acme is not None and person is not None
    # The latest 100 of the 120 in their window, newest first; the lapsed ten are not counted.
    latest = [f"TAX-{n:03}" for n in range(SHOWN - 1, SHOWN - 101, -1)]
    assert [p["decision_no"] for p in acme["penalties"]] == latest
    assert acme["penalties_total"] == SHOWN
    assert len(acme["permits"]) == 100 and acme["permits_total"] == PERMITS
    assert acme["permits"][0]["decision_no"] == f"P-{PERMITS - 1:03}"
    assert [c["commitment_id"] for c in acme["commitments"]] == ["c-2", "c-1", "c-0"]
    assert acme["commitments_total"] == 3
    # The person leading Acme sees the same cut and the same count.
    [led] = person["led_organisations"]
    assert [p["decision_no"] for p in led["penalties"]] == latest
    assert led["penalties_total"] == SHOWN
    assert person["penalties"] == [] and person["penalties_total"] == 0
    # On a day before any record, every section is empty and counts nothing.
    with views.reader() as tx:
        early = profile_sql.profile(tx, ACME, "2019-01-01")
    assert early is not None and early["penalties"] == [] and early["penalties_total"] == 0


def test_a_reader_asking_for_two_sections_gets_those_and_the_identity_only(
        views: ViewStore) -> None:
    with views.reader() as tx:
        whole = profile_sql.read(tx, PERSON, TODAY)
        # Asked in any order, answered in the profile's.
        two = profile_sql.read(tx, PERSON, TODAY, ("led_organisations", "lists"))
    assert list(two) == ["code", "name", "kind", "masked", "registered_on", "authority",
                         "registered", "as_of", "lists", "led_organisations"]
    assert two == {k: whole[k] for k in two}
    assert [m["list"] for m in two["led_organisations"][0]["dishonest_listings"]] == ["black"]


def test_an_unknown_section_is_refused_by_name(views: ViewStore) -> None:
    with views.reader() as tx, pytest.raises(ValueError, match="'scores'"):
        profile_sql.read(tx, PERSON, TODAY, ("lists", "scores"))
