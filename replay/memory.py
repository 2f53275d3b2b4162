"""The projection views in a private database: the live view code, tables nobody else serves.

As-of answers apply a subject's envelopes to an in-memory SQLite store with the very `apply`
functions the runner uses, then read it with the public API's own queries, so what an auditor
sees at time T is what the API would have served. Side rebuilds use the same class, in memory
or in a named schema of the view database (replay.schema_views). An in-memory store can be
serialised to bytes and restored (snapshots).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from projections.storage import SQLITE, Tx
from projections.view import View
from projections.views import load_views

# The views a single subject's state comes from (integrity: a body's government defaults).
SUBJECT_VIEWS = ("profiles", "lists", "scores", "integrity")
_INDEX = re.compile(r"(CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?)([\w.]+)(\s+ON)",
                    re.IGNORECASE)


def subject_views() -> list[View]:
    return [v for v in load_views() if v.name in SUBJECT_VIEWS]


def index_sql(view: View, statement: str, names: dict[str, str], schema: str = "") -> str:
    """A view's index statement with its index name made unique (and schema-qualified)."""
    sql = statement.format_map(names)
    match = _INDEX.match(sql)
    if match is None:
        return sql
    name = f"{view.name}_{match[2].rpartition('.')[2]}"
    rest = sql[match.end():]
    if schema:  # SQLite qualifies the index name, and wants the table bare
        name, rest = f"{schema}.{name}", rest.replace(f"{schema}.", "", 1)
    return f"{match[1]}{name}{match[3]}{rest}"


class MemoryViews:
    """One private SQLite database holding the given views' tables under their logical names."""

    dialect = SQLITE
    conn: Any  # sqlite3 here; a psycopg connection in SchemaViews on PostgreSQL

    def __init__(self, views: Sequence[View], snapshot: bytes | None = None) -> None:
        self.views = list(views)
        self.names = {table: table for v in self.views for table in v.tables}
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if snapshot is not None:
            self.conn.deserialize(snapshot)
        else:
            self.create()

    def create(self) -> None:
        for view in self.views:
            for table, columns in view.tables.items():
                self.conn.execute(f"CREATE TABLE {self.names[table]} ({columns})")
            for statement in view.indexes:
                self.conn.execute(index_sql(view, statement, self.names))

    def tx(self) -> Tx:
        """A ViewTx over this database, for the views' queries."""
        return Tx(self.conn.cursor(), SQLITE, self.names)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        self.conn.execute("BEGIN")
        try:
            yield self.tx()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def apply(self, envelopes: Iterable[dict[str, Any]]) -> None:
        """Apply envelopes in order, in one transaction (the caller passes each event once)."""
        with self.transaction() as tx:
            for env in envelopes:
                for view in self.views:
                    view.apply(tx, env)

    def snapshot(self) -> bytes:
        return self.conn.serialize()

    def close(self) -> None:
        self.conn.close()
