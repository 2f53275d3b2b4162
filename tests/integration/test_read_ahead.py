"""Rebuilds that read ahead (Kafka: a prefetch process after a head start; the store: a
reading thread) give the very views the live runner built, page boundaries anywhere."""

from __future__ import annotations

import pytest

from ledger.bootstrap import bootstrap
from ledger.settings import Settings
from projections.digest import digest
from projections.kafka_feed import KafkaFeed
from projections.rebuild import rebuild
from projections.runner import Runner, feed_factory
from projections.storage import view_store
from projections.store_feed import StoreFeed
from projections.views import load_views
from tests.integration._projection_helpers import create_topic, envelopes, publish, run_until
from tests.projection_story import TODAY, story

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.mark.parametrize("feed_kind", ["kafka", "store"])
def test_a_rebuild_reading_ahead_gives_the_live_views(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str, feed_kind: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=pg_url, app_name=unique_name, env="test",
                        kafka_bootstrap=kafka_bootstrap, kafka_topic=topic_name)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    story(runtime.ledger)
    create_topic(kafka_bootstrap, topic_name)
    publish(kafka_bootstrap, topic_name, list(envelopes(runtime.ledger)))
    store, views = view_store(runtime), load_views()
    run_until(Runner(store, feed_factory(runtime), views), runtime.ledger.head_position())
    served = digest(store)
    # Read ahead from the first record; Kafka applies two records per partition itself first.
    monkeypatch.setattr("projections.rebuild.PREFETCH_MIN", 1)
    monkeypatch.setattr(KafkaFeed, "head_start", 6)
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
    runtime.close()
