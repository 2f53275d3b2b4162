"""One credit history through both feeds (the store's log, Kafka) gives identical views.

Duplicates on Kafka change nothing, two rebuilds agree, and a runner killed with SIGKILL in
the middle of its work resumes without losing or doubling anything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.bootstrap import bootstrap
from ledger.settings import Settings
from projections import catalog
from projections.digest import digest, table_digests
from projections.kafka_feed import KafkaFeed
from projections.rebuild import rebuild_named
from projections.runner import Runner, feed_factory
from projections.storage import ViewStore, view_store
from projections.views import load_views
from tests.integration._projection_helpers import (
    EventClock,
    create_topic,
    envelopes,
    frozen_events,
    publish,
    run_until,
    served_story,
)
from tests.projection_story import TODAY, bulk, story

__all__ = ["frozen_events"]
pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


def project_from_store(database_url: str, app_name: str) -> tuple[ViewStore, int, list]:
    """Record the story in a store and project it through the store feed."""
    runtime = bootstrap(Settings(database_url=database_url, app_name=app_name, env="test"),
                        background=False, clock=lambda: TODAY)
    story(runtime.ledger)
    head = runtime.ledger.head_position()
    runner = Runner(view_store(runtime), feed_factory(runtime), load_views(), batch=5)
    run_until(runner, head)
    items = list(envelopes(runtime.ledger))
    runtime.extras["closers"].remove(runtime.extras["view_store"].close)
    runtime.close()
    return runtime.extras["view_store"], head, items


def test_both_feeds_give_identical_views_and_duplicates_change_nothing(
        frozen_events: EventClock, tmp_path: Path, pg_url: str, kafka_bootstrap: str,
        unique_name: str, topic_name: str) -> None:
    # The same history recorded in the embedded SQLite store and in PostgreSQL.
    sqlite_views, head, sqlite_items = project_from_store(
        f"sqlite:///{tmp_path / 'ledger.sqlite3'}", unique_name)
    frozen_events.restart()
    pg_views, pg_head, pg_items = project_from_store(pg_url, unique_name)
    assert (head, [e["hash"] for e in sqlite_items]) == (pg_head, [e["hash"] for e in pg_items])
    # The PostgreSQL store's envelopes go to a 3-partition topic, a third of them twice.
    create_topic(kafka_bootstrap, topic_name)
    publish(kafka_bootstrap, topic_name, pg_items)
    publish(kafka_bootstrap, topic_name, pg_items[::3])
    kafka_views = ViewStore(pg_url, unique_name.lower() + "_k")
    runner = Runner(kafka_views, lambda: KafkaFeed(kafka_bootstrap, topic_name), load_views(),
                    batch=4)
    status = run_until(runner, head)
    assert status["applied"] == len(pg_items)  # each event once, duplicates skipped
    tables = table_digests(sqlite_views)
    assert {"profile_subject", "list_entry"} <= set(tables)
    assert table_digests(pg_views) == tables
    assert table_digests(kafka_views) == tables
    # Duplicates arriving after the views caught up change nothing either.
    publish(kafka_bootstrap, topic_name, pg_items[1::2])
    status = run_until(Runner(kafka_views, lambda: KafkaFeed(kafka_bootstrap, topic_name),
                              load_views(), batch=50), head)
    assert status["applied"] == 0
    assert table_digests(kafka_views) == tables
    for store in (sqlite_views, pg_views, kafka_views):
        store.close()


def test_two_rebuilds_of_the_same_events_give_identical_digests(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str) -> None:
    runtime, store, views, served = served_story(pg_url, kafka_bootstrap, unique_name,
                                                 topic_name)
    first = rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
    after_first = digest(store)
    second = rebuild_named(store, feed_factory(runtime), views, "lists", grace=0)
    assert second.generation > first.generation
    assert served == after_first == digest(store)
    runtime.close()


def start_project(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "api.cli", "project"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_runner_killed_mid_batch_loses_and_doubles_nothing(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str) -> None:
    settings = Settings(database_url=pg_url, app_name=unique_name, env="test",
                        kafka_bootstrap=kafka_bootstrap, kafka_topic=topic_name)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    bulk(runtime.ledger, 1000)
    head = runtime.ledger.head_position()
    create_topic(kafka_bootstrap, topic_name)
    items = list(envelopes(runtime.ledger))
    publish(kafka_bootstrap, topic_name, items)
    store = view_store(runtime)
    env = os.environ | {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name,
                        "LEDGER_KAFKA_BOOTSTRAP": kafka_bootstrap, "LEDGER_ENV": "test",
                        "LEDGER_KAFKA_TOPIC": topic_name, "LEDGER_PROJECT_BATCH": "100"}
    # The first runner is killed as soon as some, but not all, batches have committed.
    process = start_project(env)
    killed_at = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        killed_at = consumed(store)
        if killed_at > 0:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait(timeout=10)
    assert 0 < killed_at < len(items)
    # A second runner takes over from the committed offsets and finishes.
    process = start_project(env)
    try:
        deadline = time.monotonic() + 90
        while consumed(store) < len(items) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    with store.reader() as tx:
        counts = [tx.fetchone(f"SELECT count(*) FROM {tx.t(t)}")[0]  # type: ignore[index]
                  for t in ("profile_subject", "profile_permit", "profile_penalty")]
    assert counts == [1000, 1000, 1000]
    # And the views equal a projection that was never interrupted.
    reference = ViewStore(pg_url, unique_name.lower() + "_ref")
    run_until(Runner(reference, feed_factory(runtime), load_views(), batch=1000), head)
    assert table_digests(reference) == table_digests(store)
    reference.close()
    runtime.close()


def consumed(store: ViewStore) -> int:
    """Records consumed by the live lane, over every partition."""
    with store.reader() as tx:
        return sum(catalog.offsets(tx, catalog.LIVE).values())
