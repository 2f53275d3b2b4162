"""Direct use of the event store where the library offers nothing: positions, binary inserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier

from ledger.store.transcoder import Columns


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


def insert_stored(recorder: Any, stored: Sequence[StoredEvent]) -> None:
    """recorder.insert_events(stored) as insert_columns does it."""
    insert_columns(recorder, ([e.originator_id for e in stored],
                              [e.originator_version for e in stored],
                              [e.topic for e in stored], [e.state for e in stored]))


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as insert_events
def insert_columns(recorder: Any, columns: Columns) -> None:
    """recorder.insert_events for bulk writers, who need no notification ids back.

    On PostgreSQL the same transaction as the library's (its table lock, so notification ids
    follow commit order, and its NOTIFY), the events sent as four arrays of plain values
    rather than one array of composites: about half the client CPU and faster to unnest.
    """
    if not isinstance(recorder, PostgresApplicationRecorder):
        recorder.insert_events([StoredEvent(*row) for row in zip(*columns, strict=True)])
        return
    if not columns[0]:
        return
    datastore = recorder.datastore
    insert = SQL("INSERT INTO {schema}.{table} (originator_id, originator_version, topic, "
                 "state) SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], "
                 "%b::bytea[])").format(schema=Identifier(datastore.schema),
                                        table=Identifier(recorder.events_table_name),
                                        id_type=Identifier(datastore.originator_id_type))
    with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
        for statement in recorder.lock_table_statements:
            curs.execute(statement, prepare=True)
        curs.execute(SQL("NOTIFY {0}").format(Identifier(recorder.channel_name)))
        curs.execute(insert, columns)
