"""Rebuilds that read ahead (the store: a reading thread) or split the feed into shares
applied by processes of their own give the very views the live runner built; a share process
that fails fails the rebuild, and the old views keep serving."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import psycopg
import pytest

from api.bootstrap import bootstrap
from ledger.settings import Settings
from projections import catalog, stage_load, staging
from projections.digest import digest
from projections.kafka_feed import KafkaFeed
from projections.rebuild import rebuild, rebuild_named
from projections.runner import Runner, feed_factory
from projections.shards import Shares, ShareSpec
from projections.storage import view_store
from projections.store_feed import StoreFeed
from projections.views import load_views
from tests.integration._projection_helpers import run_until, served_story
from tests.projection_story import TODAY, story

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.mark.parametrize(("feed_kind", "shares"), [("kafka", 1), ("kafka", 2), ("store", 1),
                                                  ("store", 2)])
def test_a_rebuild_reading_ahead_gives_the_live_views(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str, feed_kind: str,
        shares: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # With shares, subjects enough for every share (Kafka: partition) to have some, whose
    # counters (same authorities, same days) the shares then add up.
    runtime, store, views, served = served_story(pg_url, kafka_bootstrap, unique_name,
                                                 topic_name, subjects=30 if shares > 1 else 0)
    # The store's log is read ahead from the first record (Kafka is read by polls).
    monkeypatch.setattr("projections.catch_up.READ_AHEAD_MIN", 1)
    monkeypatch.setattr("projections.shards.SHARD_MIN", 1)
    monkeypatch.setattr("projections.shards.SHARES", shares)
    done = shares_done(monkeypatch)
    feed = (KafkaFeed(kafka_bootstrap, topic_name) if feed_kind == "kafka"
            else StoreFeed(runtime.ledger.recorder))
    conn = store.connect()
    try:
        report = rebuild(store, conn, feed, views, views, batch=7, grace=0)
    finally:
        conn.close()
        feed.close()
    assert report.events == runtime.ledger.head_position()
    assert digest(store) == served
    if shares > 1:
        assert len(done) == shares and all(events for _, events in done)  # each applied some
    runtime.close()


def shares_done(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[int, int], int]]:
    """What each share of the next split rebuild reports: (offsets, events applied)."""
    done: list[tuple[dict[int, int], int]] = []

    def combine(shares: list[tuple[dict[int, int], int]]) -> tuple[dict[int, int], int]:
        done.extend(shares)
        return real(shares)

    real = staging.combine
    monkeypatch.setattr(staging, "combine", combine)
    return done


def served_and_rebuild(pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str,
                       ) -> tuple[Any, Any, list[Any], str]:
    """A story projected live; (runtime, view store, views, digest of the served views)."""
    settings = Settings(database_url=pg_url, app_name=unique_name, env="test")
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    story(runtime.ledger)
    store, views = view_store(runtime), load_views()
    run_until(Runner(store, feed_factory(runtime), views), runtime.ledger.head_position())
    return runtime, store, views, digest(store)


@pytest.mark.parametrize("shares", [2, 3])
def test_shares_applied_by_processes_of_their_own_give_the_live_views(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str, shares: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, views, served = served_and_rebuild(pg_url, kafka_bootstrap, unique_name,
                                                       topic_name)
    monkeypatch.setattr("projections.shards.SHARD_MIN", 1)
    monkeypatch.setattr("projections.shards.SHARES", shares)
    started: list[ShareSpec] = []

    def pool(specs: Sequence[ShareSpec]) -> Shares:
        started.extend(specs)
        return Shares(specs)

    monkeypatch.setattr("projections.staging.Shares", pool)
    report = rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
    assert len(started) == shares - 1  # the rebuild process applies the first share itself
    assert report.events == runtime.ledger.head_position()
    assert digest(store) == served
    runtime.close()


class Broken(Shares):
    """Share processes asked for a view they do not know: they fail at once."""

    def __init__(self, specs: Sequence[ShareSpec]) -> None:
        super().__init__([replace(spec, views=("no-such-view",)) for spec in specs])


def test_a_failed_share_process_fails_the_rebuild_and_the_old_views_keep_serving(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, views, served = served_and_rebuild(pg_url, kafka_bootstrap, unique_name,
                                                       topic_name)
    with store.reader() as tx:
        before = sorted(catalog.current_names(store, tx).values())
    monkeypatch.setattr("projections.shards.SHARD_MIN", 1)
    monkeypatch.setattr("projections.staging.Shares", Broken)
    with pytest.raises(RuntimeError, match="share process failed"):
        rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
    assert digest(store) == served
    assert generation_tables(pg_url, store.prefix) == set(before)  # the failed one's are gone
    runtime.close()


def generation_tables(pg_url: str, prefix: str) -> set[str]:
    """The view tables (of any generation) in PostgreSQL under a view store's prefix."""
    with psycopg.connect(pg_url) as conn:
        return {name for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
            (prefix + "%",)).fetchall() if re.search(r"_g\d+$", name)}


def test_a_failed_copy_of_a_finished_shares_rows_fails_the_rebuild(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first share's spooled rows are copied while the other shares finish (by the
    "rebuild-early-load" thread): a failure there fails the rebuild, whose tables go."""
    runtime, store, views, served = served_and_rebuild(pg_url, kafka_bootstrap, unique_name,
                                                       topic_name)
    with store.reader() as tx:
        before = sorted(catalog.current_names(store, tx).values())
    monkeypatch.setattr("projections.shards.SHARD_MIN", 1)
    monkeypatch.setattr("projections.shards.SHARES", 2)
    early: list[str] = []

    def failing(path: str, cursor: Any, table: str) -> None:
        if not threading.current_thread().name.startswith("rebuild-early-load"):
            return real(path, cursor, table)  # the load's own copies work
        early.append(table)
        raise OSError("the stage's disk went away")

    real = stage_load.copy_file
    monkeypatch.setattr("projections.stage_load.copy_file", failing)
    with pytest.raises(OSError, match="disk went away"):
        rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
    assert early  # the early copy was tried, and its failure alone failed the rebuild
    assert digest(store) == served
    assert generation_tables(pg_url, store.prefix) == set(before)
    runtime.close()
