"""Pages of the store's notification log, as plain tuples, read as cheaply as the store allows."""

from __future__ import annotations

import zlib
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
# A stream's share of `count` on PostgreSQL (hashtext is an int4, made non-negative first).
SHARE_OF = "mod(hashtext(originator_id::text)::bigint + 2147483648, %s)"


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
        self._share_sql = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, "
            "CASE WHEN " + SHARE_OF + " = %s THEN state END "
            "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(table)
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

    def share_page(self, after: int, limit: int, share: tuple[int, int]) -> list[ShareRow]:
        """The page, with the state only of the events of the streams in share (index,
        count): the others' stays in the database (on PostgreSQL), only their positions come
        (a share reads every position, and decodes a share of the events)."""
        if self.postgres:
            with self._connection() as conn:
                cursor = conn.cursor(row_factory=tuple_row, binary=True)
                cursor.execute(self._share_sql, (share[1], share[0], after, limit),
                               prepare=True)
                return cursor.fetchall()
        return [(*row[:4], row[4] if in_share(row[1], share) else None)
                for row in self.page(after, limit)]

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
    """Whether a stream is in share (index, count) of the embedded store's log (PostgreSQL
    decides by SHARE_OF): by a hash of its id, so all of a stream's events are in one share."""
    index, count = share
    return zlib.crc32(stream.encode()) % count == index
