"""Write transactions of our own on the event store's SQLite file take the write lock first.

The library opens every SQLite transaction with a plain (deferred) `BEGIN`. A transaction that
reads before it writes then holds a snapshot; if another connection to the file (the views'
runner, another process) commits before the first write, SQLite cannot let it write on that
old snapshot and fails it at once with "database is locked" (SQLITE_BUSY_SNAPSHOT): the busy
timeout is never consulted. `BEGIN IMMEDIATE` takes the write lock before any read, waiting up
to the busy timeout for it, as the view store's writers do (docs/adr/034).

eventsourcing 9.5 has no setting for this; its own writes (`insert_events`) write first and
so never need it. This keeps the library's transaction and pool: the connection comes from the
datastore's pool as a writer (its in-process writer lock), and the commit, rollback and error
mapping are the library's `SQLiteTransaction`'s; only the BEGIN differs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTransaction


class ImmediateTransaction(SQLiteTransaction):
    """The library's SQLite transaction, begun with BEGIN IMMEDIATE."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:  # the lock not had within the busy timeout
            cursor.__exit__()
            raise OperationalError(e) from e
        return cursor


@contextmanager
def write_transaction(datastore: SQLiteDatastore) -> Iterator[SQLiteCursor]:
    """What `datastore.transaction(commit=True)` gives, holding the write lock from the start."""
    with datastore.get_connection(commit=True) as conn, \
            ImmediateTransaction(conn, commit=True) as curs, curs:
        yield curs
