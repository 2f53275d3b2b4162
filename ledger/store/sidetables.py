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

from ledger.store.sql import Tx, dialect_of, recorder_tx
from ledger.store.tables import SIDE_TABLES, ensure, side_prefix

Handler = Callable[[Tx, Sequence[Any]], None]


class SideTables:
    """Tables named `<app>_<name>` in the store's database, with positions in the log.

    The ledger's own side tables are made at setup with the store's (ledger/store/tables.py);
    a table not made there yet (another set, a store opened without table creation) is made
    on the first construction for its database, never again."""

    def __init__(self, recorder: Any, tables: dict[str, str]) -> None:
        self.dialect = dialect_of(recorder)
        self.recorder = recorder
        self.prefix = side_prefix(recorder)
        self.lock = threading.Lock()  # one catch-up at a time in this process
        ddl = dict(tables, positions=SIDE_TABLES["positions"])
        ensure(recorder, {self.t(name): columns for name, columns in ddl.items()})

    def t(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Tx]:
        with recorder_tx(self.recorder, commit=commit) as tx:
            yield tx

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
