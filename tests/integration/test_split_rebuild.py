"""Rebuilds split into shares by stream (Kafka: by partition), applied by worker processes of
their own, give the very views the live runner built; a share that fails fails the rebuild,
and the old views keep serving."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg
import pytest

from ledger.bootstrap import bootstrap
from ledger.settings import Settings
from projections import catalog
from projections import rebuild as rebuilding
from projections.digest import digest
from projections.kafka_feed import KafkaFeed
from projections.rebuild import rebuild, rebuild_named
from projections.runner import Runner, feed_factory
from projections.storage import view_store
from projections.store_feed import StoreFeed
from projections.views import load_views
from tests.integration._projection_helpers import run_until, served_story
from tests.projection_story import TODAY, story

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.mark.parametrize(("feed_kind", "shares"), [("kafka", 1), ("kafka", 2), ("store", 1),
                                                  ("store", 2)])
def test_a_split_rebuild_gives_the_live_views(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str, feed_kind: str,
        shares: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # With shares, subjects enough for every share (Kafka: partition) to have some, whose
    # counters (same authorities, same days) the shares then add up.
    runtime, store, views, served = served_story(pg_url, kafka_bootstrap, unique_name,
                                                 topic_name, subjects=30 if shares > 1 else 0)
    monkeypatch.setattr("projections.rebuild.SHARD_MIN", 1)
    monkeypatch.setattr("projections.rebuild.SHARES", shares)
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


def shares_done(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, int]]:
    """What each share of the next split rebuild reports: (offsets, events applied)."""
    done: list[tuple[Any, int]] = []

    def combine(shares: list[tuple[Any, int]]) -> tuple[Any, int]:
        done.extend(shares)
        return real(shares)

    real = rebuilding.combine
    monkeypatch.setattr(rebuilding, "combine", combine)
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
    monkeypatch.setattr("projections.rebuild.SHARD_MIN", 1)
    monkeypatch.setattr("projections.rebuild.SHARES", shares)
    done = shares_done(monkeypatch)
    report = rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
    assert len(done) == shares  # the rebuild process applies the first share itself
    assert report.events == runtime.ledger.head_position()
    assert digest(store) == served
    runtime.close()


def broken(job: Any, spec: Mapping[str, Any], end: Mapping[int, int]) -> Any:
    """A worker's share that fails at once (run in the worker process: module level)."""
    raise RuntimeError("this share failed")


def test_a_failed_share_process_fails_the_rebuild_and_the_old_views_keep_serving(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, store, views, served = served_and_rebuild(pg_url, kafka_bootstrap, unique_name,
                                                       topic_name)
    with store.reader() as tx:
        before = sorted(catalog.current_names(store, tx).values())
    monkeypatch.setattr("projections.rebuild.SHARD_MIN", 1)
    monkeypatch.setattr("projections.rebuild.SHARES", 2)
    monkeypatch.setattr("projections.rebuild.run_share", broken)
    with pytest.raises(RuntimeError, match="share failed"):
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
