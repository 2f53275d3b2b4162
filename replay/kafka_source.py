"""Reading the event topic from the start up to its end at the time of reading."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.partitioner.default import murmur2


@dataclass(frozen=True)
class Record:
    """One Kafka record as published by the relay: where it sits, its key and raw value."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes


def partition_for(key: str, partitions: int) -> int:
    """The partition the default (Java-compatible) partitioner picks for a key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def _consumer(bootstrap: str) -> KafkaConsumer:
    return KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                         client_id="credit-ledger-replay", max_partition_fetch_bytes=4 << 20,
                         fetch_max_bytes=32 << 20, consumer_timeout_ms=10_000)


def partitions_of(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    parts = consumer.partitions_for_topic(topic)
    if not parts:
        raise LookupError(f"Kafka topic {topic!r} does not exist")
    return [TopicPartition(topic, p) for p in sorted(parts)]


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """Each partition's end offset now (for progress totals)."""
    consumer = _consumer(bootstrap)
    try:
        tps = partitions_of(consumer, topic)
        return {tp.partition: off for tp, off in consumer.end_offsets(tps).items()}
    finally:
        consumer.close()


def read_topic(
    bootstrap: str, topic: str, *, key: str | None = None,
    on_batch: Callable[[int], Any] | None = None, idle_timeout: float = 30.0,
) -> Iterator[Record]:
    """Every record from offset 0 to the end offsets taken at the start; only one key if given."""
    consumer = _consumer(bootstrap)
    try:
        tps = partitions_of(consumer, topic)
        if key is not None:
            tps = [tps[partition_for(key, len(tps))]]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = {tp: off for tp, off in consumer.end_offsets(tps).items() if off > 0}
        wanted = key.encode() if key is not None else None
        idle_since = time.monotonic()
        while ends:
            batches = consumer.poll(timeout_ms=1000, max_records=5000)
            if batches:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > idle_timeout:
                raise TimeoutError(f"no records from Kafka topic {topic!r} for {idle_timeout} s "
                                   f"before reaching its end offsets")
            for tp, records in batches.items():
                for r in records:
                    if r.offset >= ends.get(tp, 0):
                        continue
                    if wanted is None or r.key == wanted:
                        yield Record(tp.partition, r.offset, r.key, r.value)
                if on_batch:
                    on_batch(len(records))
                if tp in ends and consumer.position(tp) >= ends[tp]:
                    del ends[tp]
                    consumer.pause(tp)
    finally:
        consumer.close()
