"""Pages of the store's notification log, as plain tuples, read as cheaply as the store allows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

# (position, stream, version, topic, state): one recorded event, not decoded.
Row = tuple[int, str, int, str, bytes]
# The same read for a share (`share_page`): no state (None) for other shares' streams.
ShareRow = tuple[int, str, int, str, bytes | None]
# Whether a stream is in share `index` of `count`: the last byte of its id (a UUID: uniform)
# modulo count, as `in_share` reads it from the text (hashing the id's text cost PostgreSQL
# 1.6 s per million events, against 0.05 s for this).
SHARE_OF = "get_byte(uuid_send(originator_id), 15) %% %(count)s = %(index)s"


class NotificationReader:
    """Follows one application's notification log by position (the notification id)."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.postgres = isinstance(recorder, PostgresApplicationRecorder)
        if self.postgres:
            self._table = (recorder.datastore.schema, recorder.events_table_name)
            self._connection: Callable[[], AbstractContextManager[Any]] = \
                recorder.datastore.get_connection
            self._prepare()

    @classmethod
    def connect(cls, spec: dict[str, Any]) -> NotificationReader:
        """A reader on a connection of its own, from another reader's `spec()` (PostgreSQL):
        for a process that reads the log without opening the ledger application."""
        reader = cls.__new__(cls)
        reader.recorder, reader.postgres = None, True
        reader._table = (spec["schema"], spec["table"])
        conn = psycopg.connect(**{"connect_timeout": 10, **spec["connect"]}, autocommit=True)

        @contextmanager
        def connection() -> Iterator[Any]:
            yield conn

        reader._connection = connection
        reader._prepare()
        return reader

    def spec(self) -> dict[str, Any] | None:
        """What `connect` needs to read the same log (None on SQLite). It holds the password:
        hand it over a pipe, never on a command line."""
        if not self.postgres:
            return None
        kwargs = self.recorder.datastore.pool.kwargs  # every connection option of the pool's
        return {"schema": self._table[0], "table": self._table[1],
                "connect": {k: v for k, v in kwargs.items()
                            if isinstance(v, str | int | float) and not isinstance(v, bool)}}

    def _prepare(self) -> None:
        table = SQL("{}.{}").format(*(Identifier(name) for name in self._table))
        # The library's select_notifications builds a dict and a Notification per row and
        # decodes bytea from text; binary tuples are about 2.5 times cheaper to read.
        self._page_sql = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(table)
        # The page's events of the share, and its last event (so that the reader knows how
        # far the page went) with its state only if it is of the share. The page's end comes
        # from the index alone; then one ordered scan up to it (no sort, no copy of states).
        self._share_sql = SQL(
            "WITH last AS (SELECT max(notification_id) AS id FROM (SELECT notification_id "
            "FROM {table} WHERE notification_id > %(after)s AND notification_id < %(before)s "
            "ORDER BY notification_id LIMIT %(limit)s) page) "
            "SELECT notification_id, originator_id::text, originator_version, topic, "
            "CASE WHEN " + SHARE_OF + " THEN state END FROM {table} "
            "WHERE notification_id > %(after)s AND notification_id <= (SELECT id FROM last) "
            "AND (" + SHARE_OF + " OR notification_id = (SELECT id FROM last)) "
            "ORDER BY notification_id"
        ).format(table=table)
        self._head_sql = SQL("SELECT max(notification_id) FROM {}").format(table)

    def page(self, after: int, limit: int) -> list[Row]:
        """Up to `limit` events recorded after position `after`, in commit order."""
        if self.postgres:
            with self._connection() as conn:
                cursor = conn.cursor(row_factory=tuple_row, binary=True)
                cursor.execute(self._page_sql, (after, limit), prepare=True)
                return cursor.fetchall()
        return [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                for n in self.recorder.select_notifications(after + 1, limit)]

    def share_page(self, after: int, limit: int, share: tuple[int, int],
                   before: int | None = None) -> list[ShareRow]:
        """The events of the page (positions after `after`, and before `before` if given)
        that are of the streams in share (index, count), and the page's last event, with no
        state (None) if it is not: the others stay in the database (on PostgreSQL). A share
        thus reads its own events and how far each page went, which its offset moves to."""
        if self.postgres:
            with self._connection() as conn:
                cursor = conn.cursor(row_factory=tuple_row, binary=True)
                cursor.execute(self._share_sql, {
                    "after": after, "limit": limit, "index": share[0], "count": share[1],
                    "before": before if before is not None else 2**63 - 1}, prepare=True)
                return cursor.fetchall()
        rows = [r for r in self.page(after, limit) if before is None or r[0] < before]
        return [(*row[:4], row[4] if ours else None) for n, row in enumerate(rows)
                if (ours := in_share(row[1], share)) or n == len(rows) - 1]

    def head(self) -> int:
        """The position of the last recorded event (0 for an empty store)."""
        if self.postgres:
            with self._connection() as conn:
                row = conn.cursor(row_factory=tuple_row).execute(self._head_sql).fetchone()
                return int(row[0] or 0) if row else 0
        return int(self.recorder.max_notification_id() or 0)

    def close(self) -> None:
        """Closes the connection of a reader made by `connect` (the recorder's stay open)."""
        if self.recorder is None:
            with self._connection() as conn:
                conn.close()


def in_share(stream: str, share: tuple[int, int]) -> bool:
    """Whether a stream (its id, a UUID's text) is in share (index, count), as SHARE_OF
    decides on PostgreSQL: all of a stream's events are in one share."""
    index, count = share
    return int(stream[-2:], 16) % count == index
