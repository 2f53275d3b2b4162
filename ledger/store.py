"""Direct reads of the event store that the library does not offer: positions by stream."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder


def position_of(recorder: Any, stream: UUID, version: int) -> int:
    """The global notification id (position) at which (stream, version) was committed."""
    if isinstance(recorder, PostgresApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT notification_id FROM {recorder.events_table_name} "
                "WHERE originator_id = %s AND originator_version = %s",
                (stream, version),
            )
            row = curs.fetchone()
            return int(row["notification_id"]) if row else 0
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {recorder.events_table_name} "
                "WHERE originator_id = ? AND originator_version = ?",
                (stream.hex, version),
            )
            row = c.fetchone()
            return int(row[0]) if row else 0
    raise TypeError(f"unsupported recorder {type(recorder).__name__}")
