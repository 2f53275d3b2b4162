"""The view contract (projections.view.View) as a newcomer writing a view meets it: what is
required fails at start-up, the rest has defaults the runner and a rebuild rely on."""

from __future__ import annotations

from typing import Any

import pytest

from projections import catalog, shards
from projections.feed import Feed
from projections.view import View, ViewTx
from projections.views import load_views
from tests.unit._envelopes import ListFeed, Story, feed_views, store_at
from tests.unit._viewtx import SqlViewTx


class Forgetful(View):
    """A view whose author forgot `apply`."""

    name = "forgetful"

    def __init__(self) -> None:
        self.tables = {"forgetful_row": "code TEXT PRIMARY KEY"}
        self.indexes = []


class Registrations(View):
    """The smallest view: its tables, its indexes and `apply`; everything else by default."""

    name = "registrations"

    def __init__(self) -> None:
        self.tables = {"registration": "code TEXT PRIMARY KEY, name TEXT NOT NULL"}
        self.indexes = ["CREATE INDEX registration_by_name ON {registration} (name)"]

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        if envelope["type"] == "SubjectRegistered":
            tx.execute(f"INSERT INTO {tx.t('registration')} VALUES (?, ?)",
                       (envelope["subject"], envelope["data"]["name"]))


def test_a_view_without_apply_stops_start_up_naming_what_is_missing() -> None:
    with pytest.raises(TypeError, match=r"Forgetful.*apply"):
        Forgetful()  # type: ignore[abstract]


def test_a_feed_that_does_not_say_whether_it_splits_cannot_be_opened() -> None:
    class Silent(Feed):
        kind = "silent"

        def partitions(self) -> list[int]:
            return [0]

        def poll(self, offsets: Any, max_records: int, timeout: float) -> list[Any]:
            return []

        def end_offsets(self) -> dict[int, int]:
            return {0: 0}

        def close(self) -> None:
            pass

    with pytest.raises(TypeError, match=r"Silent.*shares"):
        Silent()  # type: ignore[abstract]


def test_a_minimal_view_gets_the_documented_defaults() -> None:
    view = Registrations()
    assert list(view.apply_indexes()) == list(view.indexes)  # a stage builds all its indexes
    assert view.merges() is None  # not split by stream: rebuilt in one process
    assert shards.merges_of(view) == {}
    assert view.spooled() == {}  # every row goes to its table, in a stage too


def test_a_minimal_view_is_fed_by_the_runner_one_event_at_a_time_in_order(tmp_path: Any,
                                                                             ) -> None:
    story = Story()
    story.register("91330100MA27XL0001", "Hangzhou Tea Co.")
    story.register("91330100MA27XL0002", "West Lake Boats")
    store = store_at(tmp_path)
    feed_views(store, [Registrations()], story.records())  # the runner calls apply_many
    conn = store.connect()
    try:
        with store.transaction(conn) as tx:
            tx.names.update(catalog.current_names(store, tx))
            rows = tx.fetchall(f"SELECT code, name FROM {tx.t('registration')} ORDER BY code")
    finally:
        conn.close()
    assert rows == [("91330100MA27XL0001", "Hangzhou Tea Co."),
                    ("91330100MA27XL0002", "West Lake Boats")]


def test_a_view_outside_the_registry_is_never_split_over_processes() -> None:
    feed = ListFeed([])
    assert shards.share_count(feed, [Registrations()], 1_000_000) == 1


def test_every_registered_view_and_transaction_keeps_the_contract() -> None:
    views = load_views()
    assert all(isinstance(v, View) for v in views)  # the compiled build's too
    # Every registered view may be split: it says which of its tables shares merge.
    assert all(v.merges() is not None for v in views)
    assert isinstance(SqlViewTx.memory(), ViewTx)
