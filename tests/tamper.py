"""A rogue administrator's SQL on the event store's own tables (SQLite and PostgreSQL).

Nothing here goes through the ledger: rows are deleted, truncated, corrupted, or rewritten
with every later hash recomputed by the published algorithm (docs/events.md), as someone with
database access and the docs could do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
import psycopg

from ledger.domain.envelope import envelope_hash
from ledger.store.notifications import envelope_from_stored


class Store:
    """Plain SQL on one application's events table."""

    def __init__(self, database_url: str, app_name: str) -> None:
        self.url, self.app = database_url, app_name
        self.sqlite = database_url.startswith("sqlite")
        self.table = "stored_events" if self.sqlite else f"{app_name.lower()}_events"
        self.pos = "rowid" if self.sqlite else "notification_id"

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        sql = sql.format(table=self.table, pos=self.pos)
        if self.sqlite:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as db:
                return list(db.execute(sql, params).fetchall())
        with psycopg.connect(self.url, autocommit=True) as db:
            cur = db.execute(sql.replace("?", "%s"), params)
            return list(cur.fetchall()) if cur.description else []

    def key(self, stream: UUID) -> Any:
        return stream.hex if self.sqlite else stream

    def delete(self, stream: UUID, version: int) -> None:
        self.run("DELETE FROM {table} WHERE originator_id = ? AND originator_version = ?",
                 (self.key(stream), version))

    def delete_stream(self, stream: UUID) -> None:
        self.run("DELETE FROM {table} WHERE originator_id = ?", (self.key(stream),))

    def truncate_after(self, position: int) -> None:
        self.run("DELETE FROM {table} WHERE {pos} > ?", (position,))

    def corrupt(self, stream: UUID, version: int) -> None:
        self.set_state(stream, version, b"\xff{ not json")

    def set_state(self, stream: UUID, version: int, state: bytes) -> None:
        self.run("UPDATE {table} SET state = ? WHERE originator_id = ? AND "
                 "originator_version = ?", (state, self.key(stream), version))

    def position(self, stream: UUID, version: int) -> int:
        return int(self.run("SELECT {pos} FROM {table} WHERE originator_id = ? AND "
                            "originator_version = ?", (self.key(stream), version))[0][0])

    def rewrite_and_rehash(self, stream: UUID, version: int,
                           change: Callable[[dict[str, Any]], None]) -> None:
        """Change one event's data, then recompute its hash and every later one's link."""
        rows = self.run("SELECT originator_version, topic, state FROM {table} WHERE "
                        "originator_id = ? AND originator_version >= ? ORDER BY "
                        "originator_version", (self.key(stream), version))
        prev_hash = None
        for v, topic, state in rows:
            fields = orjson.loads(bytes(state))
            if v == version:
                change(fields["data"])
            if prev_hash is not None:
                fields["prev_hash"] = prev_hash
            env = envelope_from_stored(topic, str(stream), v, orjson.dumps(fields), None)
            fields["hash"] = prev_hash = envelope_hash(env)
            self.set_state(stream, v, orjson.dumps(fields))
