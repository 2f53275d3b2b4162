"""Pages of the store's notification log, as plain tuples, read as cheaply as the store allows."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

# (position, stream, version, topic, state): one recorded event, not decoded.
Row = tuple[int, str, int, str, bytes]


class NotificationReader:
    """Follows one application's notification log by position (the notification id)."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.postgres = isinstance(recorder, PostgresApplicationRecorder)
        if self.postgres:
            table = SQL("{}.{}").format(Identifier(recorder.datastore.schema),
                                        Identifier(recorder.events_table_name))
            # The library's select_notifications builds a dict and a Notification per row and
            # decodes bytea from text; binary tuples are about 2.5 times cheaper to read.
            self._page_sql = SQL(
                "SELECT notification_id, originator_id::text, originator_version, topic, state "
                "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            ).format(table)
            self._head_sql = SQL("SELECT max(notification_id) FROM {}").format(table)

    def page(self, after: int, limit: int) -> list[Row]:
        """Up to `limit` events recorded after position `after`, in commit order."""
        if self.postgres:
            with self.recorder.datastore.get_connection() as conn:
                cursor = conn.cursor(row_factory=tuple_row, binary=True)
                cursor.execute(self._page_sql, (after, limit), prepare=True)
                return cursor.fetchall()
        return [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                for n in self.recorder.select_notifications(after + 1, limit)]

    def head(self) -> int:
        """The position of the last recorded event (0 for an empty store)."""
        if self.postgres:
            with self.recorder.datastore.get_connection() as conn:
                row = conn.cursor(row_factory=tuple_row).execute(self._head_sql).fetchone()
                return int(row[0] or 0) if row else 0
        return int(self.recorder.max_notification_id() or 0)
