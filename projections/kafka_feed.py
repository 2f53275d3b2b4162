"""The Kafka feed: manual partition assignment, seeks to offsets kept in the view store.

No consumer group and no offset commits: the view store's proj_offsets table is the only
committed position, written in the same transaction as the view rows. kafka-python's public
consumer API only: the live runner and every process of a rebuild read Kafka this one way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from projections.feed import Record, envelope_json

log = logging.getLogger(__name__)


class FeedUnavailable(RuntimeError):
    """The topic does not exist (yet) or the broker cannot be reached."""


def consumer_config(bootstrap: str, **overrides: Any) -> dict[str, Any]:
    """Consumer settings tuned for throughput; the benchmark's bare consumer uses them too."""
    return {
        "bootstrap_servers": bootstrap,
        "group_id": None,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        # Fetch buffers fill up to these bounds on a long topic: they cap the memory.
        "max_partition_fetch_bytes": 2 * 1024 * 1024,
        "fetch_max_bytes": 16 * 1024 * 1024,
        "receive_buffer_bytes": 4 * 1024 * 1024,
        "client_id": "credit-ledger-projections",
    } | overrides


def envelope(topic: str, partition: int, offset: int, value: bytes | None) -> dict[str, Any]:
    """A record's envelope; {} for one that is not an envelope, which still advances the
    offset and which the runner skips."""
    if value is None:
        return {}
    try:
        found = envelope_json(value)
    except orjson.JSONDecodeError:
        log.warning("skipping undecodable record %s/%s@%s", topic, partition, offset)
        return {}
    return found if isinstance(found, dict) else {}


class KafkaFeed:
    """Follows every partition of one topic (or those in `partitions`) from the offsets the
    caller passes."""

    kind = "kafka"

    def __init__(self, bootstrap: str, topic: str, *, wait_for_topic: float = 10.0,
                 partitions: Sequence[int] | None = None) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.consumer = KafkaConsumer(**consumer_config(bootstrap))
        found = self._discover(wait_for_topic)
        self._parts = found if partitions is None else [p for p in found if p in partitions]
        self._tps = {p: TopicPartition(topic, p) for p in self._parts}
        self.consumer.assign(list(self._tps.values()))
        self._positions: dict[int, int] = {}
        self._paused: set[int] = set()

    def _discover(self, wait: float) -> list[int]:
        deadline = time.monotonic() + wait
        while True:
            parts = self.consumer.partitions_for_topic(self.topic)
            if parts:
                return sorted(parts)
            if time.monotonic() >= deadline:
                self.consumer.close()
                raise FeedUnavailable(f"Kafka topic {self.topic!r} does not exist")
            time.sleep(0.2)

    def partitions(self) -> list[int]:
        return list(self._parts)

    def _align(self, offsets: Mapping[int, int]) -> None:
        """Seek where the caller's offsets differ from ours; pause partitions not asked for."""
        for p, tp in self._tps.items():
            if p in offsets and self._positions.get(p) != offsets[p]:
                self.consumer.seek(tp, offsets[p])
                self._positions[p] = offsets[p]
        wanted_paused = {p for p in self._tps if p not in offsets}
        if wanted_paused != self._paused:
            self.consumer.resume(*(self._tps[p] for p in self._paused - wanted_paused))
            self.consumer.pause(*(self._tps[p] for p in wanted_paused - self._paused))
            self._paused = wanted_paused

    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        self._align(offsets)
        batches = self.consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        records: list[Record] = []
        for tp, messages in batches.items():
            p = tp.partition
            records.extend(Record(p, m.offset, envelope(self.topic, p, m.offset, m.value))
                           for m in messages)
            if messages:
                self._positions[p] = messages[-1].offset + 1
        return records

    def shares(self, count: int) -> list[dict[str, Any]]:
        """Up to `count` sets of partitions, p % count: the relay keys records by subject, so
        every event about a subject is in one share."""
        count = max(1, min(count, len(self._parts)))
        return [{"kind": self.kind, "bootstrap": self.bootstrap, "topic": self.topic,
                 "partitions": [p for p in self._parts if p % count == n]}
                for n in range(count)]

    def end_offsets(self) -> dict[int, int]:
        ends = self.consumer.end_offsets(list(self._tps.values()))
        return {tp.partition: int(offset) for tp, offset in ends.items()}

    def close(self) -> None:
        self.consumer.close()
