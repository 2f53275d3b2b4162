"""The projection views in a private database: the live view code, tables nobody else serves.

As-of answers apply a subject's envelopes to an in-memory SQLite store with the very `apply`
functions the runner uses, then read it with the public API's own queries, so what an auditor
sees at time T is what the API would have served. Side rebuilds use the same class, in memory
or in a named schema of the view database (replay.schema_views). An in-memory store can be
serialised to bytes and restored (snapshots).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from projections import schema
from projections.storage import SQLITE, Tx
from projections.view import View
from projections.views import load_views

# The views a single subject's state comes from (integrity: a body's government defaults).
SUBJECT_VIEWS = ("profiles", "lists", "scores", "integrity")


def subject_views() -> list[View]:
    return [v for v in load_views() if v.name in SUBJECT_VIEWS]


def create(tx: Tx, views: Sequence[View], names: dict[str, str], *,
           replace: bool = False) -> None:
    """The views' tables under `names` (projections.schema), each index named after its
    view: unique in the database, which holds one generation."""
    for view in views:
        schema.create(tx, view, names, index_name=named_after(view), replace=replace)


def named_after(view: View) -> schema.IndexName:
    return lambda declared: f"{view.name}_{declared}"


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
        create(self.tx(), self.views, self.names)

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
