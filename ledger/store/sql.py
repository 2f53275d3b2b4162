"""The one SQL dialect adapter: SQL written once with `?` placeholders, run on SQLite or
PostgreSQL through a DB-API cursor.

Every table of our own (side tables, views, verification reports) and the auditors' raw reads
go through `Tx`, and so do the reads of the event store's own table (`position_of`, the
importer's `load_subjects`, the auditors' `replay.rows`) and the relay's positions. Only the
relay's PostgreSQL page reader (`ledger/relay/reading.py`, binary cursors on one dialect) and
the recorder's insert (`ledger/store/recording.py`) compose psycopg SQL themselves.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InternalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row

from ledger.store.immediate import write_transaction

SQLITE, POSTGRES = "sqlite", "postgresql"
T = TypeVar("T")


def creating(make: Callable[[], T], attempts: int = 10) -> T:
    """Run a step that creates tables, again after a growing, jittered pause while it collides.

    Every application in a PostgreSQL schema re-creates the library's shared composite type
    and insert function at start, and processes starting at once can collide in the catalogue
    ("tuple concurrently updated", a duplicate pg_type); the statements are idempotent. Six
    starting at once on a loaded machine once collided five times in a row (CI, 2026-12-07).
    """
    for attempt in range(attempts):
        try:
            return make()
        except (InternalError, IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1) * (0.5 + random.random()))
    raise AssertionError("unreachable")


@lru_cache(maxsize=4096)
def to_pyformat(sql: str) -> str:
    """`?` placeholders to psycopg's `%s`; a literal `%` (as in `LIKE 'a%'`) doubled first,
    or psycopg would read it as a placeholder of its own."""
    return sql.replace("%", "%%").replace("?", "%s")


def storable(params: Sequence[Any]) -> tuple[Any, ...]:
    """Parameters PostgreSQL text can hold: a NUL that an event stored before the edge rules
    carries becomes U+FFFD (as the views see it), instead of failing the statement."""
    return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) else p for p in params)


class Tx:
    """One open transaction over a DB-API cursor; SQL uses `?` placeholders in both dialects."""

    # Subclasses whose parameters cannot hold a NUL may skip the scan (projections.storage).
    scrub_nul = True

    def __init__(self, cursor: Any, dialect: str) -> None:
        self.cursor, self.dialect = cursor, dialect
        self._pg = dialect == POSTGRES

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self._pg:
            sql = to_pyformat(sql)
            if self.scrub_nul:
                params = storable(params)
        self.cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for many rows (pipelined on PostgreSQL: one round trip, not one each)."""
        if not rows:
            return
        if self._pg:
            sql = to_pyformat(sql)
            if self.scrub_nul:
                rows = [storable(r) for r in rows]
        self.cursor.executemany(sql, rows)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.execute(sql, params)
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.execute(sql, params)
        return [tuple(r) for r in self.cursor.fetchall()]


def dialect_of(recorder: Any) -> str:
    """The dialect of an event store's recorder (only SQLite and PostgreSQL are stores here)."""
    if isinstance(recorder, PostgresApplicationRecorder):
        return POSTGRES
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLITE
    raise TypeError(f"SQL of our own needs SQLite or PostgreSQL, not {type(recorder).__name__}")


@contextmanager
def recorder_tx(recorder: Any, *, commit: bool) -> Iterator[Tx]:
    """A transaction in the event store's own database, on the recorder's connections.

    A committing one on SQLite holds the write lock from its start (ledger/store/immediate.py):
    it may read before it writes without failing when another connection commits meanwhile.
    A read (commit=False) takes no lock and waits for no writer."""
    dialect = dialect_of(recorder)
    if dialect == SQLITE and commit:
        opened = write_transaction(recorder.datastore)
    else:
        opened = recorder.datastore.transaction(commit=commit)
    cursor: Any  # the library's SQLite cursor, or psycopg's
    with opened as cursor:
        if dialect == POSTGRES:
            cursor.row_factory = tuple_row  # the library's pool hands out dict rows
        yield Tx(cursor, dialect)


def position_column(dialect: str) -> str:
    """The event store's global position: the library's notification id on PostgreSQL, the
    rowid (its notification id) on SQLite."""
    return "notification_id" if dialect == POSTGRES else "rowid"


def stream_param(dialect: str, stream: UUID | str) -> Any:
    """A stream id as the event store's table holds it: uuid on PostgreSQL, its hex digits on
    SQLite (ValueError if it is not a UUID)."""
    uid = stream if isinstance(stream, UUID) else UUID(str(stream))
    return uid if dialect == POSTGRES else uid.hex


def stream_value(dialect: str, value: Any) -> UUID:
    """A stream id read from the event store's table, as a UUID."""
    return value if dialect == POSTGRES and isinstance(value, UUID) else UUID(str(value))
