"""The event store's recorder: the library's, through its own extension points.

On PostgreSQL the application records through `LedgerRecorder`, a subclass of the library's
`PostgresApplicationRecorder`, chosen the library's documented way (the factory's
`APPLICATION_RECORDER_TOPIC`, set by `ledger.core.LedgerCore.construct_recorder`). It keeps
the library's transaction (its table lock, so notification ids follow commit order, and its
NOTIFY) and changes only how the new events travel: as four arrays of plain values sent in
binary, rather than one array of composites sent as text. psycopg encodes the composites in
Python, about 48 us per event as text (a regex per field); the four binary arrays cost about
3 us and are faster to unnest (bench/ingest.py). The table, the rows and their bytes are the
library's own: a store written by either recorder reads the same through either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from ledger.store.sql import position_column, recorder_tx, stream_param
from ledger.store.transcoder import Columns

_INSERT = ("INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
           "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])")


class LedgerRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, inserting four binary arrays."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        insert = SQL(_INSERT).format(schema=Identifier(datastore.schema),
                                     table=Identifier(events_table_name),
                                     id_type=Identifier(datastore.originator_id_type))
        # Rendered once: a composed statement is rendered again at every execute (~10 us).
        self.insert_columns_statement = SQL(insert.as_string())
        # What save() runs: the notification ids come back, as the library's statement does.
        self.insert_events_statement = Composed([SQL(
            (insert + SQL(" RETURNING notification_id")).as_string())])

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        """The library's step (lock, notify, insert), with our statement and columns."""
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(self.insert_events_statement, columns_of(stored_events))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as insert_events
    def insert_columns(self, columns: Columns) -> None:
        """insert_events for bulk writers, who need no notification ids back and have the
        events as columns already (no StoredEvent built per event)."""
        if not columns[0]:
            return
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            curs.execute(self.insert_columns_statement, columns)


def columns_of(stored: Sequence[StoredEvent]) -> Columns:
    return ([e.originator_id for e in stored], [e.originator_version for e in stored],
            [e.topic for e in stored], [e.state for e in stored])


def insert_columns(recorder: Any, columns: Columns) -> None:
    """Store events given as columns, in one transaction, through whichever recorder."""
    if isinstance(recorder, LedgerRecorder):
        recorder.insert_columns(columns)
    elif columns[0]:
        recorder.insert_events([StoredEvent(*row) for row in zip(*columns, strict=True)])


def insert_stored(recorder: Any, stored: Sequence[StoredEvent]) -> None:
    """recorder.insert_events(stored) as a bulk writer does it (bench/ingest.py)."""
    insert_columns(recorder, columns_of(stored))


def position_of(recorder: Any, stream: UUID, version: int) -> int:
    """The global position (notification id) at which (stream, version) was committed; 0 if
    the store does not hold it. TypeError for a store with no SQL (the in-memory one)."""
    with recorder_tx(recorder, commit=False) as tx:
        row = tx.fetchone(f"SELECT {position_column(tx.dialect)} FROM "
                          f"{recorder.events_table_name} "
                          "WHERE originator_id = ? AND originator_version = ?",
                          (stream_param(tx.dialect, stream), version))
    return int(row[0]) if row else 0
