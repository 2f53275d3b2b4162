"""Rebuilding every view from offset 0 into a private target, as of a record time or a cut.

The live views are never touched: the target is an in-memory store or a schema of its own.
The feed is read from its start to the head it had when the build began; each (stream,
version) is applied at most once (Kafka may hold duplicates), and only events inside the cut.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger.settings import Settings
from projections.feed import Feed
from projections.kafka_feed import KafkaFeed
from projections.store_feed import StoreFeed
from replay.memory import MemoryViews
from replay.report import NoProgress, Progress
from replay.when import recorded_by

BATCH = 5000


@dataclass
class Cut:
    """Which events count: recorded by `as_of`, and per stream up to a version if given."""

    as_of: datetime | None = None
    versions: Mapping[str, int] | None = None

    def admits(self, env: dict[str, Any]) -> bool:
        if self.versions is not None and env["version"] > self.versions.get(env["stream"], 0):
            return False
        return recorded_by(env, self.as_of)


@dataclass
class Built:
    events: int = 0
    records: int = 0
    seconds: float = 0.0
    applied: dict[str, int] = field(default_factory=dict)  # stream -> last version applied

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def open_feed(settings: Settings, recorder: Any, source: str) -> Feed:
    """The Kafka topic or the store's notification log, whichever the caller names."""
    if source == "kafka":
        if not settings.kafka_bootstrap:
            raise ValueError("--source kafka needs LEDGER_KAFKA_BOOTSTRAP")
        return KafkaFeed(settings.kafka_bootstrap, settings.kafka_topic)
    return StoreFeed(recorder)


def build(feed: Feed, target: MemoryViews, cut: Cut, *, progress: Progress | None = None,
          ) -> Built:
    """Apply the feed from offset 0 to its current head into `target`, inside `cut`."""
    progress = progress or NoProgress()
    started, built = time.monotonic(), Built()
    end = feed.end_offsets()
    offsets = {p: 0 for p in feed.partitions()}
    first = 1 if feed.kind == "store" else 0  # notification ids start at 1, Kafka offsets at 0
    progress.start("rebuild", sum(max(0, e - first) for e in end.values()))
    idle = 0
    while pending := {p: o for p, o in offsets.items() if o < end.get(p, 0)}:
        records = feed.poll(pending, BATCH, 1.0)
        if not records:
            idle += 1
            if idle >= 3:  # the head may count offsets that carry no record
                break
            continue
        idle = 0
        fresh = []
        for r in records:
            offsets[r.partition] = max(offsets[r.partition], r.offset + 1)
            env = r.envelope
            if r.offset < end.get(r.partition, 0) and env["version"] > \
                    built.applied.get(env["stream"], 0) and cut.admits(env):
                built.applied[env["stream"]] = env["version"]
                fresh.append(env)
        target.apply(fresh)
        built.events += len(fresh)
        built.records += len(records)
        progress.advance("rebuild", len(records))
    built.seconds = time.monotonic() - started
    return built
