"""The embedded feed: the event store's notification log as a single partition.

SQLite cannot subscribe, so the log is polled. The offset is the notification id (the
envelope's position); the next offset to read is the last id seen plus one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from ledger.relay.encoding import event_id, type_names
from ledger.relay.reading import NotificationReader, Row
from projections.feed import Record

PARTITION = 0


def envelope(row: Row) -> dict[str, Any]:
    """The public envelope of a stored row, equal to ledger.notifications.envelope_from_stored
    (a unit test holds it to that), built with the relay's cheaper event id."""
    position, stream, version, topic, state = row
    fields = orjson.loads(state)
    return {
        "id": event_id(stream, version), "type": type_names(topic)[0],
        "schema_version": int(fields.get("class_version", 1)), "subject": fields["subject"],
        "stream": stream, "version": version, "occurred_at": fields["occurred_at"],
        "recorded_at": fields["timestamp"], "authority": fields["authority"],
        "actor": fields["actor"], "data": fields["data"], "prev_hash": fields["prev_hash"],
        "hash": fields["hash"], "position": position,
    }


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
        return [Record(PARTITION, row[0], envelope(row)) for row in rows]

    def end_offsets(self) -> dict[int, int]:
        return {PARTITION: self.reader.head() + 1}

    def close(self) -> None:
        """The recorder belongs to the ledger application, which closes it."""
