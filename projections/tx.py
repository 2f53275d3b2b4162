"""One open transaction on the view store, in either dialect (the one `?` -> `%s` adapter)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

SQLITE, POSTGRES = "sqlite", "postgresql"


class ViewsNotReady(RuntimeError):
    """A view has no generation yet: the runner has not built it."""


@lru_cache(maxsize=4096)
def to_pyformat(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (a literal `%` doubled first)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Tx:
    """One open transaction, with logical table names resolved to physical ones (a ViewTx)."""

    def __init__(self, cursor: Any, dialect: str, names: Mapping[str, str]) -> None:
        self.cursor, self.dialect = cursor, dialect
        self.names: dict[str, str] = dict(names)
        self._pg = dialect == POSTGRES

    def t(self, table: str) -> str:
        try:
            return self.names[table]
        except KeyError:
            raise ViewsNotReady(f"view table {table!r} is not built yet") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(to_pyformat(sql) if self._pg else sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(to_pyformat(sql) if self._pg else sql, rows)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.execute(sql, params)
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.execute(sql, params)
        return [tuple(r) for r in self.cursor.fetchall()]
