"""Views rebuilt into a schema of their own (`replay rebuild --into SCHEMA`), beside the live ones.

PostgreSQL: a schema in the view database. SQLite: a database file next to the view database,
attached under the schema's name. Tables keep their logical names inside it, so an auditor can
query `SCHEMA.profile_subject` directly; the live generations are never touched.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg

from projections.storage import POSTGRES, SQLITE, Tx
from projections.view import View
from replay.memory import MemoryViews, create

SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")


def check_schema(name: str) -> str:
    if not SCHEMA_NAME.fullmatch(name) or name in ("public", "main", "temp"):
        raise ValueError(f"--into {name!r}: expected a new lower-case identifier "
                         "(letters, digits, underscores)")
    return name


def sqlite_side_file(views_url: str, schema: str) -> Path:
    path = Path(views_url[len("sqlite:///"):])
    return path.with_name(f"{path.stem}.{schema}.sqlite3")


class SchemaViews(MemoryViews):
    """The given views' tables, empty, in their own schema; filled by `apply`."""

    def __init__(self, views: Sequence[View], views_url: str, schema: str) -> None:
        self.views, self.schema = list(views), check_schema(schema)
        self.names = {t: f"{self.schema}.{t}" for v in self.views for t in v.tables}
        self.dialect = SQLITE if views_url.startswith("sqlite") else POSTGRES
        if self.dialect == SQLITE:
            self.conn = sqlite3.connect(views_url[len("sqlite:///"):], isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("ATTACH DATABASE ? AS " + self.schema,
                              (str(sqlite_side_file(views_url, self.schema)),))
        else:
            self.conn = psycopg.connect(views_url, autocommit=True)
            self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        self.create()

    def create(self) -> None:
        """Replace whatever an earlier rebuild left in this schema."""
        with self.transaction() as tx:
            create(tx, self.views, self.names, replace=True)

    def tx(self) -> Tx:
        return Tx(self.conn.cursor(), self.dialect, self.names)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        if self.dialect == SQLITE:
            with super().transaction() as tx:
                yield tx
            return
        with self.conn.transaction(), self.conn.cursor() as cur:
            yield Tx(cur, POSTGRES, self.names)

    def snapshot(self) -> bytes:
        raise NotImplementedError("only in-memory views are snapshotted")

    def close(self) -> None:
        self.conn.close()
