"""Records on a real topic for the Kafka feed's stories: what is published, and reading it
all back through a feed from given offsets in batches of a given size."""

from __future__ import annotations

import orjson
from kafka import KafkaProducer

from ledger.relay import ensure_topic
from projections.feed import Record
from projections.kafka_feed import KafkaFeed

PARTITIONS = 3


def publish(bootstrap: str, topic: str) -> dict[tuple[int, int], bytes | None]:
    """Envelopes over three partitions in lz4 batches of several sizes, with one record that
    is not JSON and one without a value among them; each value by (partition, offset)."""
    ensure_topic(bootstrap, topic, PARTITIONS)
    producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type="lz4",
                             linger_ms=20, batch_size=4096)
    sent = []
    for i in range(900):
        value: bytes | None = orjson.dumps({"stream": f"s{i % 11}", "version": i,
                                            "pad": "x" * (i % 97)})
        if i == 301:
            value = b"not json"
        if i == 402:
            value = None
        sent.append((producer.send(topic, key=f"s{i % 11}".encode(), value=value,
                                   partition=i % PARTITIONS), value))
        if i % 250 == 0:
            producer.flush()  # batches end here, besides where batch_size ends them
    producer.flush()
    producer.close()
    written = {}
    for future, value in sent:
        meta = future.get(timeout=10)
        written[(meta.partition, meta.offset)] = value
    return written


def read_all(feed: KafkaFeed, start: dict[int, int], size: int) -> list[Record]:
    end = feed.end_offsets()
    offsets, out = dict(start), []
    while pending := {p: o for p, o in offsets.items() if o < end[p]}:
        records = feed.poll(pending, size, 2.0)
        assert len(records) <= size
        for r in records:
            assert r.offset == offsets[r.partition]  # in order, nothing skipped or repeated
            offsets[r.partition] = r.offset + 1
        out.extend(records)
    return sorted(out, key=lambda r: (r.partition, r.offset))
