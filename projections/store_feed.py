"""The embedded feed: the event store's notification log as a single partition.

SQLite cannot subscribe, so the log is polled. The offset is the notification id (the
envelope's position); the next offset to read is the last id seen plus one.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ledger.relay.encoding import event_id, type_names
from ledger.relay.reading import NotificationReader, ShareRow
from projections.feed import Feed, Record, envelope_json

PARTITION = 0


def envelope(row: ShareRow) -> dict[str, Any]:
    """The public envelope of a stored row, equal to ledger.store.notifications.envelope_from_stored
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


class StoreFeed(Feed):
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

    def shares(self) -> int:
        """How many processes may split this feed (projections.shards): any number on
        PostgreSQL, where another process can read the log; none on SQLite."""
        return 1 << 16 if self.reader.postgres else 1

    def share_spec(self, index: int, count: int) -> dict[str, Any]:
        """What a process needs to follow share `index` of `count` on its own connection."""
        return {"kind": self.kind, "reader": self.reader.spec(), "share": [index, count]}

    def end_offsets(self) -> dict[int, int]:
        return {PARTITION: self.reader.head() + 1}

    def bulk(self, start: Mapping[int, int], end: Mapping[int, int], batch: int) -> ReadAhead:
        """Positions [start, end), read a page ahead by a thread; iterate, then close."""
        return ReadAhead(self.reader, start.get(PARTITION, 0), end.get(PARTITION, 0), batch,
                         self.share)

    def close(self) -> None:
        """The recorder belongs to the ledger application, which closes it; a reader of its
        own (`reader`) this feed closes."""
        if self.recorder is None:
            self.reader.close()


def read_page(reader: NotificationReader, after: int, limit: int,
              share: tuple[int, int] | None, before: int | None = None) -> list[ShareRow]:
    """A page of the log: every event, or a share's (NotificationReader.share_page)."""
    if share is None:
        return list(reader.page(after, limit))
    return reader.share_page(after, limit, share, before)


def records(rows: Sequence[ShareRow]) -> list[Record]:
    return [Record(PARTITION, row[0], envelope(row)) for row in rows]


class ReadAhead:
    """Pages of the log read by a thread while the caller applies the previous one.

    PostgreSQL answers a page while this process is busy with the last one (the driver
    waits without the GIL); the queue holds two pages, so memory stays bounded. On SQLite
    the pages are read in the caller's thread.
    """

    def __init__(self, reader: NotificationReader, start: int, end: int, batch: int,
                 share: tuple[int, int] | None = None) -> None:
        self.reader, self.start, self.end, self.batch = reader, max(1, start), end, batch
        self.share = share
        self.pages: queue.Queue[list[ShareRow] | BaseException | None] = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        if reader.postgres:
            self.thread = threading.Thread(target=self._read, name="store-read-ahead",
                                           daemon=True)
            self.thread.start()

    def _pages(self) -> Iterator[list[ShareRow]]:
        after = self.start - 1
        while after < self.end - 1 and not self.stop.is_set():
            rows = [r for r in read_page(self.reader, after, self.batch, self.share, self.end)
                    if r[0] < self.end]
            if not rows:
                return
            after = rows[-1][0]
            yield rows

    def _read(self) -> None:
        try:
            for rows in self._pages():
                self._put(rows)
            self._put(None)
        except BaseException as e:  # handed to the caller, who raises it
            self._put(e)

    def _put(self, item: list[ShareRow] | BaseException | None) -> None:
        while not self.stop.is_set():
            try:
                self.pages.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _queued(self) -> Iterator[list[ShareRow]]:
        while (item := self.pages.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def __iter__(self) -> Iterator[list[Record]]:
        for rows in self._pages() if self.thread is None else self._queued():
            yield records(rows)

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
