"""The feed interface: envelopes in per-partition order, read from offsets the caller keeps.

Two implementations share it: Kafka (one partition per Kafka partition, offset = Kafka offset)
and the event store's notification log (one partition, offset = notification id). Consumers
keep their offsets in the view store, never in the feed, so a feed holds no durable state.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

# A JSON-escaped NUL, not itself an escaped backslash followed by "u0000".
_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def envelope_json(raw: bytes) -> Any:
    """An envelope's JSON as the views get it: a NUL in any text becomes U+FFFD.

    PostgreSQL text cannot hold NUL, so one stored event with a NUL (stored before the write
    contracts refused them, or by any other way in) would stop every view for good. The event
    itself, its hash and Kafka's copy are untouched; only what the views show is escaped,
    whichever feed and whichever view store (one rule: the same views on SQLite and PostgreSQL).
    """
    if b"\\u0000" in raw:
        raw = _NUL.sub(rb"\1\\ufffd", raw)
    return orjson.loads(raw)


@dataclass(slots=True)  # not frozen: a frozen one costs twice as much to build, per event
class Record:
    """One envelope at its place in a partition (treat it as immutable)."""

    partition: int
    offset: int
    envelope: dict[str, Any]


class Unreadable(RuntimeError):
    """Kafka's record batches cannot be read by projections.kafka_batches: the caller should
    use kafka-python's consumer (defined here, in a module mypyc does not compile, since a
    compiled class cannot derive from RuntimeError)."""


class Chunks(Protocol):
    """Batches of records read ahead while the caller applies the last one (`Feed.bulk`)."""

    def __iter__(self) -> Iterator[list[Record]]: ...

    def close(self) -> None: ...


class Feed(ABC):
    """Reads envelopes from the offsets it is given; holds no committed position of its own.

    Every feed inherits this class (projections.kafka_feed.KafkaFeed,
    projections.store_feed.StoreFeed, the tests' in-memory one); a rebuild calls `shares`,
    `share_spec` and `bulk` directly, so a feed says what it can do rather than being probed.
    """

    kind: str  # "kafka" or "store" (a share's process opens its feed by it)

    @abstractmethod
    def partitions(self) -> list[int]:
        """The partitions to follow (stable while the feed is open)."""

    @abstractmethod
    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        """Records at or after offsets[p] for each partition p given; order kept per partition."""

    @abstractmethod
    def end_offsets(self) -> dict[int, int]:
        """The next offset that would be written in each partition (the head)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def shares(self) -> int:
        """How many processes a rebuild may split this feed into (projections.shards); 1:
        not split, `share_spec` is never called."""

    def share_spec(self, index: int, count: int) -> dict[str, Any]:
        """What a process needs to open share `index` of `count` on its own (picklable;
        projections.shards.open_share reads it). Only a feed whose `shares` exceeds 1."""
        raise NotImplementedError(f"a {self.kind} feed is not split into shares")

    def bulk(self, start: Mapping[int, int], end: Mapping[int, int], batch: int,
             ) -> Chunks | None:
        """The records from `start` up to `end` read ahead, for a rebuild's catch-up
        (projections.catch_up), or None (the default): the feed is read by `poll` only."""
        return None


def lag(end: Mapping[int, int], offsets: Mapping[int, int]) -> int:
    """Records published but not yet consumed, summed over partitions."""
    return sum(max(0, head - offsets.get(p, 0)) for p, head in end.items())


def records_upto(feed: Feed, start: Mapping[int, int], target: Mapping[int, int],
                 batch: int) -> Iterator[list[Record]]:
    """Batches of each partition's records from `start` up to (not including) `target`."""
    offsets = {p: start.get(p, 0) for p in target}
    idle = 0
    while pending := {p: o for p, o in offsets.items() if o < target[p]}:
        records = feed.poll(pending, batch, 1.0)
        if not records:
            idle += 1
            if idle >= 3:
                raise RuntimeError(f"the feed stopped short of offsets {dict(target)}")
            continue
        idle = 0
        wanted = [r for r in records if r.offset < target[r.partition]]
        for r in records:
            offsets[r.partition] = min(max(offsets[r.partition], r.offset + 1),
                                       target[r.partition])
        if wanted:
            yield wanted
