"""The contract between the runner and each read model (view): `View`, and `ViewTx`.

A view owns a few tables, declared as portable SQL (SQLite and PostgreSQL), and applies event
envelopes inside the runner's transaction. Physical table names carry the view set's
generation, so a rebuild fills fresh tables while the old ones keep serving. SQL in views uses
`?` placeholders; the transaction translates them for PostgreSQL.

Both are base classes that every view and every transaction inherits: what a view may leave
out has a default here, written once, and callers call it directly (no probing with getattr).
The bases stay plain Python, outside the mypyc build (projections.compiled): a compiled view
inheriting them is compiled as a regular Python class with compiled methods; a compiled base
would not enforce `apply` on a subclass, nor see attributes a Python subclass declares on its
class (ADR 010).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from projections.held import Held
from projections.spool import Spool


class ViewTx(ABC):
    """One open transaction on the view store, with table names resolved for a generation.

    The runner's and a rebuild's is `projections.tx.Tx`; `projections.views._scope.ScopedTx`
    reads one region's rows through another; tests have their own. Views write through
    `projections.batch.Batch`, which uses `executemany`, `held` and `spool`.
    """

    dialect: str  # "sqlite" or "postgresql"
    # A rebuild stage's counters and earliest dates, written once at its end (Batch writes
    # them at each flush when None: the runner's transactions).
    held: Held | None = None
    # A rebuild stage's files of spooled rows (projections.spool); None: rows go to tables.
    spool: Spool | None = None

    @abstractmethod
    def t(self, table: str) -> str:
        """The physical name of a view table in this generation."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    @abstractmethod
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for many rows. Default: `execute` row by row (the runner's
        transaction sends them at once)."""
        for row in rows:
            self.execute(sql, row)

    def whole(self, table: str) -> str:
        """A table with every row, where `t` may read only a scope of them (one region's:
        projections.views._scope). Default: `t`."""
        return self.t(table)

    def unscoped(self) -> ViewTx:
        """The transaction reading every row. Default: this one."""
        return self


class View(ABC):
    """A read model fed by envelopes (see docs/events.md), deduplicated by the runner.

    Required, or the view cannot be instantiated (TypeError at start-up, when the registry
    imports it: projections.views):

    - `name`: unique among views (the API, `replay rebuild VIEW` and the catalog use it);
    - `tables`: logical table name -> column definitions, e.g.
      {"profile": "code TEXT PRIMARY KEY, ..."}; types TEXT, INTEGER, BIGINT, REAL, BOOLEAN
      only, so both dialects accept them. Logical names are unique over all views;
    - `indexes`: extra index statements with {table} placeholders,
      ["CREATE INDEX ... ON {list_member} ..."] (may be empty);
    - `apply(tx, envelope)`: apply one event. Each (stream, version) comes at most once per
      generation.

    With a default (override where the view needs more):

    - `apply_many(tx, envelopes)`: a batch of new events, in order, with the same result as
      `apply` on each (the default: `apply` on each). The runner and a rebuild always call
      this one (projections.apply), so a view may keep per-batch state
      (projections.batch.Batch) and write it before returning;
    - `apply_indexes()`: those of `indexes` that applying itself needs (the WHERE of its
      updates and lookups); a rebuild's stage builds only these, the others once its rows
      are loaded (default: all of `indexes`);
    - `merges()`: how a rebuild split by stream over processes treats the view
      (projections.shards). None (the default): it is not split; the view is rebuilt in one
      process. A dict: it may be split; {table: the upsert adding one row to it} for the
      tables whose rows events of different streams write (counters, earliest dates), merged
      through it; {} means every row is one stream's;
    - `spooled()`: {table: (the columns of its deferred updates, the statement applying
      them)} for tables only ever inserted into while applying (Batch.row) and changed only
      by updates that can wait for the load (Batch.deferred): a rebuild's stage writes their
      rows and those updates to files of COPY text instead of SQLite, and its load COPYs the
      rows, then runs the statement with {table} and {deferred} (the updates, a temporary
      table) in PostgreSQL (projections.spool, projections.stage_load, ADR 011). Default: {}.
    """

    name: str
    tables: dict[str, str]
    indexes: Sequence[str]

    @abstractmethod
    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        """Apply one event. Called at most once per (stream, version) per generation."""

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        """Apply new events in order; the same result as `apply` on each."""
        for envelope in envelopes:
            self.apply(tx, envelope)

    def apply_indexes(self) -> Sequence[str]:
        """The indexes applying needs: all of them unless the view says fewer."""
        return self.indexes

    def merges(self) -> dict[str, str] | None:
        """None: not split by stream in a rebuild; else the merged tables' upserts."""
        return None

    def spooled(self) -> dict[str, tuple[str, str]]:
        """The tables a rebuild's stage spools to files, with their deferred updates."""
        return {}
