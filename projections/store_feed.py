"""The embedded feed: the event store's notification log as a single partition.

SQLite cannot subscribe, so the log is polled. The offset is the notification id (the
envelope's position); the next offset to read is the last id seen plus one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ledger.notifications import envelope_from_stored
from ledger.relay.reading import NotificationReader
from projections.feed import Record

PARTITION = 0


class StoreFeed:
    """Follows one ledger application's notification log."""

    kind = "store"

    def __init__(self, recorder: Any, *, idle_sleep: float = 0.05) -> None:
        self.recorder = recorder
        self.reader = NotificationReader(recorder)  # raw pages: cheaper than the library's
        self.idle_sleep = idle_sleep

    def partitions(self) -> list[int]:
        return [PARTITION]

    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        if PARTITION not in offsets:
            return []
        start = max(1, offsets[PARTITION])  # notification ids start at 1
        deadline = time.monotonic() + timeout
        while True:
            rows = self.reader.page(start - 1, max_records)
            if rows or time.monotonic() >= deadline:
                break
            time.sleep(min(self.idle_sleep, max(0.0, deadline - time.monotonic())))
        return [Record(PARTITION, position, envelope_from_stored(topic, stream, version, state,
                                                                 position))
                for position, stream, version, topic, state in rows]

    def end_offsets(self) -> dict[int, int]:
        return {PARTITION: self.reader.head() + 1}

    def close(self) -> None:
        """The recorder belongs to the ledger application, which closes it."""
