"""The Kafka feed: manual partition assignment, seeks to offsets kept in the view store.

No consumer group and no offset commits: the view store's proj_offsets table is the only
committed position, written in the same transaction as the view rows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from kafka.partitioner.default import murmur2

from projections.feed import Feed, Record
from projections.kafka_batches import BatchReader, Unreadable
from projections.record_sets import decoded, envelope

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


class KafkaFeed(Feed):
    """Follows every partition of one topic from the offsets the caller passes."""

    kind = "kafka"

    def __init__(self, bootstrap: str, topic: str, *, wait_for_topic: float = 10.0,
                 partitions: Sequence[int] | None = None, batches: bool = False) -> None:
        """Follows every partition of the topic, or only those in `partitions`; with
        `batches`, reads record batches itself (projections.kafka_batches: for rebuilds,
        which read long ranges) until anything it cannot read sends it back to the consumer."""
        from kafka import KafkaConsumer, TopicPartition

        self.bootstrap, self.topic = bootstrap, topic
        self.consumer = KafkaConsumer(**consumer_config(bootstrap))
        found = self._discover(wait_for_topic)
        self._parts = found if partitions is None else [p for p in found if p in partitions]
        self._tps = {p: TopicPartition(topic, p) for p in self._parts}
        self.consumer.assign(list(self._tps.values()))
        self._positions: dict[int, int] = {}
        self._assigned = set(self._parts)
        self._reader: BatchReader | None = None
        # Per partition: fetched records not handed out yet, and the offset they continue.
        self._held: dict[int, list[tuple[int, bytes | None]]] = {}
        self._held_from: dict[int, int] = {}
        if batches:
            try:
                self._reader = BatchReader(self.consumer, topic)
            except Unreadable as e:
                log.warning("reading Kafka through kafka-python's consumer: %s", e)

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

    def _align(self, offsets: Mapping[int, int]) -> list[int]:
        """Assign the partitions asked for, and seek those whose offsets differ from where the
        consumer is; the partitions asked for. Not pause/resume: kafka-python 3.0.12 keeps a
        paused partition's fetched records aside and, when the partition is resumed after a
        seek, may never give them back nor fetch it again (its poll then returns nothing for
        it for good; ADR 031). A partition left out loses its position and is sought when
        asked again."""
        asked = [p for p in self._tps if p in offsets]
        if asked and set(asked) != self._assigned:
            self.consumer.assign([self._tps[p] for p in asked])
            for p in self._assigned.difference(asked):
                self._positions.pop(p, None)
            self._assigned = set(asked)
        for p in asked:
            if self._positions.get(p) != offsets[p]:
                self.consumer.seek(self._tps[p], offsets[p])
                self._positions[p] = offsets[p]
        return asked

    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        if self._reader is not None:
            try:
                return self._poll_batches(offsets, max_records, timeout)
            except Unreadable as e:
                log.warning("reading Kafka through kafka-python's consumer from now on: %s", e)
                self._reader = None
                self._held.clear()
        if not self._align(offsets):
            return []
        batches = self.consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        records: list[Record] = []
        for tp, messages in batches.items():
            for m in messages:
                records.append(self._record(tp.partition, m.offset, m.value))
            if messages:
                self._positions[tp.partition] = messages[-1].offset + 1
        return records

    @property
    def reads_batches(self) -> bool:
        """Records come from the batch reader (not, or no longer, kafka-python's consumer)."""
        return self._reader is not None

    def _record(self, partition: int, offset: int, value: bytes | None) -> Record:
        # An unusable record still advances the offset; the runner skips it.
        return Record(partition, offset, envelope(self.topic, partition, offset, value))

    def _poll_batches(self, offsets: Mapping[int, int], max_records: int,
                      timeout: float) -> list[Record]:
        """Up to max_records records from the partitions asked for, fetched by the batch
        reader: records fetched but not handed out are kept for the next call that asks
        for the offset they continue from."""
        assert self._reader is not None
        asked = {p: o for p, o in offsets.items() if p in self._tps}
        for p, o in asked.items():
            if self._held.get(p) and self._held_from.get(p) != o:
                del self._held[p]  # the caller went elsewhere: drop what was read ahead
        if not any(self._held.get(p) for p in asked):
            fetched = self._reader.fetch(asked, timeout)
            for p, found in fetched.items():
                self._held[p], self._held_from[p] = found, asked[p]
        records: list[Record] = []
        for p in asked:
            held = self._held.get(p)
            if not held or len(records) >= max_records:
                continue
            taken = held[:max_records - len(records)]
            self._held[p] = held[len(taken):]
            self._held_from[p] = taken[-1][0] + 1
            records.extend(decoded(self.topic, p, taken))
        return records

    def shares(self) -> int:
        """How many processes may split this feed (projections.shards): one per partition."""
        return len(self._parts)

    def share_spec(self, index: int, count: int) -> dict[str, Any]:
        """Share `index` of `count`: the partitions p with p % count == index. The relay keys
        records by subject, so every event about a subject is in one share."""
        return {"kind": self.kind, "bootstrap": self.bootstrap, "topic": self.topic,
                "partitions": [p for p in self._parts if p % count == index]}

    def end_offsets(self) -> dict[int, int]:
        ends = self.consumer.end_offsets(list(self._tps.values()))
        return {tp.partition: int(offset) for tp, offset in ends.items()}

    def close(self) -> None:
        self.consumer.close()

    # -- the auditors' read: a whole topic as written --------------------------------------

    def history(self, key: str | None = None, *, on_batch: Callable[[int], object] | None = None,
                idle_timeout: float = 30.0) -> Iterator[Record]:
        """Every record from each partition's first offset up to its end offset as it is now
        (only the partition the relay puts `key` in, if given), through kafka-python's
        consumer. Each envelope is the record's JSON exactly as written, not as the views get
        it (no NUL escaped: auditors recompute its hash); a value that is not a JSON object is
        an empty envelope, for the auditor to report. `on_batch` hears how many records each
        fetch brought; no record for `idle_timeout` seconds short of the end: TimeoutError."""
        parts = self._parts if key is None else [partition_of(key, len(self._parts))]
        ends = {p: end for p, end in self.end_offsets().items() if p in parts and end > 0}
        firsts = self.consumer.beginning_offsets([self._tps[p] for p in ends])
        offsets = {tp.partition: int(first) for tp, first in firsts.items()
                   if int(first) < ends[tp.partition]}
        idle_since = time.monotonic()
        while offsets:
            self._align(offsets)
            batches = self.consumer.poll(timeout_ms=1000, max_records=5000)
            if batches:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > idle_timeout:
                raise TimeoutError(f"no records from Kafka topic {self.topic!r} for "
                                   f"{idle_timeout} s before reaching its end offsets")
            for tp, messages in batches.items():
                p = tp.partition
                if p not in offsets:
                    continue  # fetched just before it was left out: read again if asked
                for m in messages:
                    if m.offset < ends[p]:
                        yield Record(p, m.offset, as_written(m.value))
                if messages:
                    self._positions[p] = offsets[p] = messages[-1].offset + 1
                if on_batch:
                    on_batch(len(messages))
                if offsets[p] >= ends[p]:
                    del offsets[p]


def partition_of(key: str, partitions: int) -> int:
    """The partition of a key under kafka-python's default partitioner (the Java client's
    murmur2), as the relay places records (`ledger.relay.producer.KeyPartitions`; not
    imported: the `ledger.relay` package loads the whole application, about 0.8 s)."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def as_written(value: bytes | None) -> dict[str, Any]:
    """A record's value as its JSON object, or {} when it is not one."""
    try:
        found = orjson.loads(value) if value is not None else None
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}

