"""The embedded feed: the event store's notification log as a single partition.

SQLite cannot subscribe, so the log is polled. The offset is the notification id (the
envelope's position); the next offset to read is the last id seen plus one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from ledger.relay.encoding import event_id, type_names
from ledger.relay.reading import NotificationReader, ShareRow
from projections.feed import Record, envelope_json

PARTITION = 0


def envelope(row: ShareRow) -> dict[str, Any]:
    """The public envelope of a stored row, equal to ledger.notifications.envelope_from_stored
    (a unit test holds it to that), built with the relay's cheaper event id; {} for an event
    of another share (no state), which advances the offset and is skipped."""
    position, stream, version, topic, state = row
    if state is None:
        return {}
    fields = envelope_json(state)
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

    def __init__(self, recorder: Any, *, idle_sleep: float = 0.05,
                 reader: NotificationReader | None = None,
                 share: tuple[int, int] | None = None) -> None:
        """Every event of the log, or with `share` = (index, count) only the events of the
        streams in that share (ledger.relay.reading.in_share), and the last event of each
        page read, as an empty record if it is another share's: it advances the offset and
        is skipped."""
        self.recorder = recorder
        # Raw pages: cheaper than the library's.
        self.reader = reader if reader is not None else NotificationReader(recorder)
        self.idle_sleep = idle_sleep
        self.share = share

    def partitions(self) -> list[int]:
        return [PARTITION]

    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        if PARTITION not in offsets:
            return []
        start = max(1, offsets[PARTITION])  # notification ids start at 1
        deadline = time.monotonic() + timeout
        while True:
            rows = read_page(self.reader, start - 1, max_records, self.share)
            if rows or time.monotonic() >= deadline:
                break
            time.sleep(min(self.idle_sleep, max(0.0, deadline - time.monotonic())))
        return records(rows)

    def shares(self, count: int) -> list[dict[str, Any]]:
        """`count` shares by a hash of the stream id (ledger.relay.reading.in_share), each read
        on a connection of its own: PostgreSQL only (another process cannot read the log of
        an SQLite store while it is written)."""
        count = count if self.reader.postgres and self.share is None else 1
        return [{"kind": self.kind, "reader": self.reader.spec(), "share": [n, count]}
                for n in range(count)]

    def end_offsets(self) -> dict[int, int]:
        return {PARTITION: self.reader.head() + 1}

    def close(self) -> None:
        """The recorder belongs to the ledger application, which closes it; a reader of its
        own (`reader`) this feed closes."""
        if self.recorder is None:
            self.reader.close()


def read_page(reader: NotificationReader, after: int, limit: int,
              share: tuple[int, int] | None) -> list[ShareRow]:
    """A page of the log: every event, or a share's (NotificationReader.share_page)."""
    if share is None:
        return list(reader.page(after, limit))
    return reader.share_page(after, limit, share)


def records(rows: Sequence[ShareRow]) -> list[Record]:
    return [Record(PARTITION, row[0], envelope(row)) for row in rows]
