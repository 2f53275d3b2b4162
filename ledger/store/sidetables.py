"""Small tables of our own beside the event store's, fed by following its notification log.

The repair worklist and the expiry index live in the store's own database (SQLite file or
PostgreSQL), named after the application's events table. Each follows the log from its own
recorded position, filtered by event topic, so a row missed by a crash is filled on the next
catch-up: the event store stays the only source of truth.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

Handler = Callable[["Tx", Sequence[Any]], None]


class Tx:
    """One open transaction; SQL is written with `?` placeholders for both dialects."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self.cursor, self.dialect = cursor, dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self.dialect == "postgresql":
            sql, params = sql.replace("?", "%s"), storable(params)
        self.cursor.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for many rows (pipelined on PostgreSQL: one round trip, not one each)."""
        if not rows:
            return
        if self.dialect == "postgresql":
            sql, rows = sql.replace("?", "%s"), [storable(r) for r in rows]
        self.cursor.executemany(sql, [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.execute(sql, params)
        rows = self.cursor.fetchall()
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]


def storable(params: Sequence[Any]) -> tuple[Any, ...]:
    """Parameters PostgreSQL text can hold: a NUL that an event stored before the edge rules
    carries becomes U+FFFD (as the views see it), instead of stopping the side table."""
    return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) else p for p in params)


class SideTables:
    """Tables named `<app>_<name>` in the store's database, with positions in the log."""

    def __init__(self, recorder: Any, tables: dict[str, str]) -> None:
        if isinstance(recorder, PostgresApplicationRecorder):
            self.dialect = "postgresql"
        elif isinstance(recorder, SQLiteApplicationRecorder):
            self.dialect = "sqlite"
        else:
            raise TypeError(f"side tables need SQLite or PostgreSQL, not "
                            f"{type(recorder).__name__}")
        self.recorder = recorder
        self.prefix = recorder.events_table_name.removesuffix("_events")
        self.lock = threading.Lock()  # one catch-up at a time in this process
        ddl = dict(tables, positions="name TEXT PRIMARY KEY, position BIGINT NOT NULL")
        with self.transaction() as tx:
            for name, columns in ddl.items():
                tx.execute(f"CREATE TABLE IF NOT EXISTS {self.t(name)} ({columns})")

    def t(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Tx]:
        with self.recorder.datastore.transaction(commit=commit) as cursor:
            yield Tx(cursor, self.dialect)

    def position(self, name: str) -> int:
        with self.transaction(commit=False) as tx:
            rows = tx.fetchall(f"SELECT position FROM {self.t('positions')} WHERE name = ?",
                               (name,))
        return int(rows[0][0]) if rows else 0

    def follow(self, name: str, topics: Sequence[str], prepare: Callable[[Sequence[Any]], Any],
               write: Callable[[Tx, Any], None], batch: int = 1000) -> int:
        """Catch up from the recorded position: prepare (reads), then write + position at once."""
        seen = 0
        with self.lock:
            position = self.position(name)
            while True:
                notes = self.recorder.select_notifications(
                    position, batch, topics=list(topics), inclusive_of_start=False)
                if not notes:
                    return seen
                prepared = prepare(notes)  # reads outside the write transaction (SQLite lock)
                position, seen = notes[-1].id, seen + len(notes)
                with self.transaction() as tx:
                    write(tx, prepared)
                    tx.execute(f"DELETE FROM {self.t('positions')} WHERE name = ?", (name,))
                    tx.execute(f"INSERT INTO {self.t('positions')} (name, position) "
                               "VALUES (?, ?)", (name, position))
