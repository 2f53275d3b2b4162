"""The projection views in an in-memory SQLite database: the live view code, a private store.

As-of answers apply a subject's envelopes here with the very `apply` functions the runner
uses, then read them with the public API's own queries, so what an auditor sees at time T is
what the API would have served. A store can be serialised to bytes and restored (snapshots).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from projections.storage import SQLITE, Tx
from projections.view import View
from projections.views import load_views

SUBJECT_VIEWS = ("profiles", "lists", "scores")  # the views a single subject's state comes from
_INDEX = re.compile(r"(CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?)(\w+)(\s+ON)",
                    re.IGNORECASE)


def subject_views() -> list[View]:
    return [v for v in load_views() if v.name in SUBJECT_VIEWS]


class MemoryViews:
    """One private SQLite database holding the given views' tables under their logical names."""

    def __init__(self, views: Sequence[View], snapshot: bytes | None = None) -> None:
        self.views = list(views)
        self.names = {table: table for v in self.views for table in v.tables}
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if snapshot is not None:
            self.conn.deserialize(snapshot)
        else:
            self._create()

    def _create(self) -> None:
        for view in self.views:
            for table, columns in view.tables.items():
                self.conn.execute(f"CREATE TABLE {table} ({columns})")
            prefix = rf"\g<1>{view.name}_\g<2>\g<3>"  # index names are unique per database
            for statement in view.indexes:
                self.conn.execute(_INDEX.sub(prefix, statement.format_map(self.names)))

    def tx(self) -> Tx:
        """A ViewTx over this database, for the views' queries."""
        return Tx(self.conn.cursor(), SQLITE, self.names)

    def apply(self, envelopes: Iterable[dict[str, Any]]) -> None:
        """Apply envelopes in order, in one transaction (the caller passes each event once)."""
        tx = self.tx()
        self.conn.execute("BEGIN")
        try:
            for env in envelopes:
                for view in self.views:
                    view.apply(tx, env)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def snapshot(self) -> bytes:
        return self.conn.serialize()

    def close(self) -> None:
        self.conn.close()
