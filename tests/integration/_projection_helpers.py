"""Helpers for runner tests: frozen event clocks, publishing the store to Kafka, running."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from api.bootstrap import bootstrap
from ledger.application import CreditLedger
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from projections.digest import digest
from projections.runner import Runner, feed_factory
from projections.storage import ViewStore, view_store
from projections.view import View
from projections.views import load_views
from tests.projection_story import TODAY, bulk, story


class EventClock:
    """Record times one second apart from a fixed instant, restartable per recording."""

    def __init__(self) -> None:
        self.ticks = itertools.count()

    def restart(self) -> None:
        self.ticks = itertools.count()

    def __call__(self) -> datetime:
        return datetime(2026, 6, 1, 8, 0, tzinfo=UTC) + timedelta(seconds=next(self.ticks))


@pytest.fixture
def frozen_events(monkeypatch: pytest.MonkeyPatch) -> EventClock:
    """Two recordings of the same story then carry the same record times, hence hashes."""
    clock = EventClock()
    monkeypatch.setattr("eventsourcing.domain.datetime_now_with_tzinfo", clock)
    return clock


def envelopes(ledger: CreditLedger, batch: int = 1000) -> Iterator[dict[str, Any]]:
    start = 1
    while notifications := ledger.recorder.select_notifications(start=start, limit=batch):
        for n in notifications:
            yield envelope_from_notification(n)
        start = notifications[-1].id + 1


def create_topic(bootstrap: str, topic: str, partitions: int = 3) -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, partitions, 1,
                                      topic_configs={"retention.ms": "-1"})])
    finally:
        admin.close()


def publish(bootstrap: str, topic: str, items: list[dict[str, Any]]) -> None:
    """What the relay does: key = subject code, value = the JSON envelope, type in a header."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             compression_type="lz4", enable_idempotence=True)
    try:
        for env in items:
            producer.send(topic, key=env["subject"].encode(), value=orjson.dumps(env),
                          headers=[("type", env["type"].encode())])
        producer.flush()
    finally:
        producer.close()


def run_until(runner: Runner, position: int, timeout: float = 60.0) -> dict[str, Any]:
    """Run the runner in a thread until it has applied `position` and has no lag."""
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            status = runner.status()
            if status["position"] >= position and status["lag"] == 0:
                return status
            time.sleep(0.05)
        raise AssertionError(f"runner did not reach {position}: {runner.status()}")
    finally:
        stop.set()
        thread.join(timeout=30)


def served_story(pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str,
                 subjects: int = 0) -> tuple[Runtime, ViewStore, list[View], str]:
    """The projection story recorded (with `subjects` more small subjects), published to a
    fresh topic and projected live: the runtime, its view store, the views and the digest
    of what they serve."""
    settings = Settings(database_url=pg_url, app_name=unique_name, env="test",
                        kafka_bootstrap=kafka_bootstrap, kafka_topic=topic_name)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    story(runtime.ledger)
    if subjects:
        bulk(runtime.ledger, subjects)
    create_topic(kafka_bootstrap, topic_name)
    publish(kafka_bootstrap, topic_name, list(envelopes(runtime.ledger)))
    store, views = view_store(runtime), load_views()
    run_until(Runner(store, feed_factory(runtime), views), runtime.ledger.head_position())
    return runtime, store, views, digest(store)

