"""A tiny ViewTx on SQLite (or PostgreSQL) for testing views without the runner."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from projections import schema
from projections.view import View, ViewTx


class SqlViewTx(ViewTx):
    """Tables of one generation on one connection; `?` placeholders become `%s` on PostgreSQL."""

    def __init__(self, conn: Any, dialect: str = "sqlite", generation: str = "g1") -> None:
        self.conn, self.dialect, self.generation = conn, dialect, generation
        self.applied: set[tuple[str, int]] = set()

    @classmethod
    def memory(cls) -> SqlViewTx:
        return cls(sqlite3.connect(":memory:"))

    def t(self, table: str) -> str:
        return f"{self.generation}_{table}"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(self._sql(sql), tuple(params))

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self.conn.execute(self._sql(sql), tuple(params)).fetchone()
        return tuple(row) if row is not None else None

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.conn.execute(self._sql(sql), tuple(params)).fetchall()]

    def create(self, *views: View) -> None:
        for view in views:
            # Index names are schema-wide on PostgreSQL: give each generation its own.
            schema.create(self, view, {name: self.t(name) for name in view.tables},
                          index_name=lambda declared: f"{self.generation}_{declared}")

    def feed(self, views: Sequence[View], envelopes: Iterable[dict[str, Any]]) -> None:
        """Apply each (stream, version) once, as the runner does."""
        for env in envelopes:
            key = (env["stream"], int(env["version"]))
            if key in self.applied:
                continue
            self.applied.add(key)
            for view in views:
                view.apply(self, env)
        self.conn.commit()
