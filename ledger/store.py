"""Direct use of the event store where the library offers nothing: positions, binary inserts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Composed


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


def binary_inserts(recorder: Any) -> Any:
    """Have PostgreSQL inserts send the new events in binary rather than text.

    psycopg encodes the library's array of stored-event composites in Python: as text about
    48 us per event (a regex per field), in binary about 5 us; it was the largest client cost
    of a save (bench/ingest.py). The statement and the stored bytes are otherwise the same.
    """
    if isinstance(recorder, PostgresApplicationRecorder):
        with recorder.datastore.get_connection() as conn:
            text = recorder.insert_events_statement.as_string(conn)
        if text.count("%s") == 1:  # the library's statement as we know it; else leave it be
            recorder.insert_events_statement = Composed([SQL(text.replace("%s", "%b"))])
    return recorder
