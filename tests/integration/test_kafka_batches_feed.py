"""The Kafka feed reading record batches itself (rebuild shares do) hands out exactly the
records kafka-python's consumer does, from any offset and in batches of any size, and goes
back to the consumer, losing and repeating nothing, when it meets what it cannot read."""

from __future__ import annotations

import threading

import pytest

from projections.kafka_batches import Unreadable
from projections.kafka_feed import KafkaFeed
from tests.kafka_records import publish, read_all

pytestmark = pytest.mark.kafka


def test_batches_read_directly_are_the_records_the_consumer_reads(
        kafka_bootstrap: str, topic_name: str) -> None:
    publish(kafka_bootstrap, topic_name)
    consumer_feed = KafkaFeed(kafka_bootstrap, topic_name)
    batch_feed = KafkaFeed(kafka_bootstrap, topic_name, batches=True)
    assert batch_feed._reader is not None
    batch_feed._reader.partition_bytes = 3000  # many fetches, some ending inside a batch
    try:
        for start, size in [({0: 0, 1: 0, 2: 0}, 5000), ({0: 17, 1: 0, 2: 250}, 7)]:
            expected = read_all(consumer_feed, start, size)
            assert len(expected) == sum(300 - o for o in start.values())
            assert read_all(batch_feed, start, size) == expected
        assert batch_feed.reads_batches and not consumer_feed.reads_batches
        assert sum(1 for r in expected if r.envelope == {}) == 2  # not JSON, no value
    finally:
        consumer_feed.close()
        batch_feed.close()


def test_what_it_cannot_read_sends_it_back_to_the_consumer_without_a_gap(
        kafka_bootstrap: str, topic_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(kafka_bootstrap, topic_name)
    consumer_feed = KafkaFeed(kafka_bootstrap, topic_name)
    feed = KafkaFeed(kafka_bootstrap, topic_name, batches=True)
    assert feed._reader is not None
    feed._reader.partition_bytes = 3000
    fetch, calls = feed._reader.fetch, []

    def fails_the_third_time(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise Unreadable("record batch format v1")
        return fetch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feed._reader, "fetch", fails_the_third_time)
    try:
        expected = read_all(consumer_feed, {0: 0, 1: 0, 2: 0}, 40)
        assert read_all(feed, {0: 0, 1: 0, 2: 0}, 40) == expected
        assert len(calls) == 3 and not feed.reads_batches
    finally:
        consumer_feed.close()
        feed.close()


def test_fetches_go_out_on_kafka_pythons_network_thread(
        kafka_bootstrap: str, topic_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """kafka-python 3 drives its connections from a thread of its own and they are not
    thread-safe: a request sent from the caller's thread can get another's response."""
    publish(kafka_bootstrap, topic_name)
    feed = KafkaFeed(kafka_bootstrap, topic_name, batches=True)
    assert feed._reader is not None
    manager, threads = feed._reader.manager, []
    send = manager.send

    def recorded(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return send(*args, **kwargs)

    monkeypatch.setattr(manager, "send", recorded)
    try:
        assert read_all(feed, {0: 0, 1: 0, 2: 0}, 5000)
        assert threads and all(t is manager._net._io_thread for t in threads)
        assert threading.current_thread() not in threads
    finally:
        feed.close()
