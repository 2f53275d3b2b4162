"""Where the relay has got to, per application and topic, in a small table of the store's own."""

from __future__ import annotations

from typing import Any

from ledger.store.sql import POSTGRES, dialect_of, recorder_tx
from ledger.store.tables import ensure

TABLE = "relay_positions"


class PositionStore:
    """The last position published and flushed to a topic; only ever moves forward."""

    def __init__(self, recorder: Any, application: str) -> None:
        self.recorder = recorder
        self.application = application
        postgres = dialect_of(recorder) == POSTGRES
        table = f'"{recorder.datastore.schema}".{TABLE}' if postgres else TABLE
        self._table = {table: "application text NOT NULL, topic text NOT NULL, "
                              "position bigint NOT NULL, updated_at text NOT NULL, "
                              "PRIMARY KEY (application, topic)"}
        self._select = f"SELECT position FROM {table} WHERE application = ? AND topic = ?"
        now = "now()::text" if postgres else "datetime('now')"
        self._upsert = (
            f"INSERT INTO {table} VALUES (?, ?, ?, {now}) "
            "ON CONFLICT (application, topic) DO UPDATE SET position = excluded.position, "
            f"updated_at = excluded.updated_at WHERE {table}.position < excluded.position")

    def load(self, topic: str) -> int:
        """The recorded position for this topic (0 when nothing was relayed yet)."""
        self._ensure_table()
        with recorder_tx(self.recorder, commit=False) as tx:
            row = tx.fetchone(self._select, (self.application, topic))
        return int(row[0]) if row else 0

    def save(self, topic: str, position: int) -> None:
        self._ensure_table()
        with recorder_tx(self.recorder, commit=True) as tx:
            tx.execute(self._upsert, (self.application, topic, position))

    def _ensure_table(self) -> None:
        # Made once per store (ledger/store/tables.py): no statement after the first time.
        ensure(self.recorder, self._table)
