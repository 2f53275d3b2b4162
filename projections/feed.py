"""The feed interface: envelopes in per-partition order, read from offsets the caller keeps.

Two implementations share it: Kafka (one partition per Kafka partition, offset = Kafka offset)
and the event store's notification log (one partition, offset = notification id). Consumers
keep their offsets in the view store, never in the feed, so a feed holds no durable state.
"""

from __future__ import annotations

import re
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


class Feed(Protocol):
    """Reads envelopes from the offsets it is given; holds no committed position of its own."""

    kind: str  # "kafka" or "store"

    def partitions(self) -> list[int]:
        """The partitions to follow (stable while the feed is open)."""

    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        """Records at or after offsets[p] for each partition p given; order kept per partition."""

    def end_offsets(self) -> dict[int, int]:
        """The next offset that would be written in each partition (the head)."""

    def shares(self, count: int) -> list[dict[str, Any]]:
        """At most `count` specs of disjoint parts of the feed by stream, every event of a
        stream in one, for `open_share` in another process (projections.rebuild); one spec
        (this feed's own) when it cannot be split."""

    def close(self) -> None: ...


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
