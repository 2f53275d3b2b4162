"""The Kafka feed's consumer path (the live runner, the swap, the auditors' reads) hands out
every record published, in order, from any offset and in batches of any size, also after
reading some partitions to their end (kafka-python 3.0.12 stranded a paused partition there,
ADR 031): lz4 batches, a value that is not JSON and a record without a value (empty
envelopes, offsets still advanced)."""

from __future__ import annotations

import orjson
import pytest

from projections.kafka_feed import KafkaFeed
from tests.kafka_records import publish, read_all

pytestmark = pytest.mark.kafka


def test_the_feed_hands_out_every_record_from_any_offset_in_batches_of_any_size(
        kafka_bootstrap: str, topic_name: str) -> None:
    written = publish(kafka_bootstrap, topic_name)
    feed = KafkaFeed(kafka_bootstrap, topic_name)
    try:
        for start, size in [({0: 0, 1: 0, 2: 0}, 5000), ({0: 17, 1: 0, 2: 250}, 7),
                            ({0: 299, 1: 100, 2: 0}, 1)]:
            got = read_all(feed, start, size)
            expected = sorted((p, o) for p, o in written if o >= start[p])
            assert [(r.partition, r.offset) for r in got] == expected
            for r in got:
                value = written[(r.partition, r.offset)]
                if value is None or value == b"not json":
                    assert r.envelope == {}
                else:
                    assert r.envelope == orjson.loads(value)
        assert sum(1 for r in read_all(feed, {0: 0, 1: 0, 2: 0}, 64) if not r.envelope) == 2
    finally:
        feed.close()


def test_a_share_reads_only_its_partitions(kafka_bootstrap: str, topic_name: str) -> None:
    written = publish(kafka_bootstrap, topic_name)
    feed = KafkaFeed(kafka_bootstrap, topic_name, partitions=[1])
    try:
        assert feed.partitions() == [1]
        got = read_all(feed, {1: 0}, 500)
        assert [(r.partition, r.offset) for r in got] == sorted(k for k in written if k[0] == 1)
    finally:
        feed.close()
