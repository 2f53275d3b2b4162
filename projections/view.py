"""The contract between the runner and each read model (view).

A view owns a few tables, declared as portable SQL (SQLite and PostgreSQL), and applies one
event envelope at a time inside the runner's transaction. Physical table names carry the
view set's generation, so a rebuild fills fresh tables while the old ones keep serving.
SQL in views uses `?` placeholders; `ViewTx` translates them for PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ViewTx(Protocol):
    """One open transaction on the view store, with table names resolved for a generation."""

    dialect: str  # "sqlite" or "postgresql"

    def t(self, table: str) -> str:
        """The physical name of a view table in this generation."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class View(Protocol):
    """A read model fed by envelopes (see docs/events.md), deduplicated by the runner."""

    name: str
    # Logical table name -> column definitions, e.g. {"profile": "code TEXT PRIMARY KEY, ..."}.
    # Types limited to TEXT, INTEGER, BIGINT, REAL, BOOLEAN so both dialects accept them.
    tables: dict[str, str]
    # Extra index statements, with {table} placeholders: ["CREATE INDEX ... ON {list_member} ..."].
    indexes: Sequence[str]

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        """Apply one event. Called at most once per (stream, version) per generation."""

    # Optionally, `apply_indexes`: those of `indexes` that `apply` itself needs (its updates'
    # and lookups' WHERE); a rebuild's stage builds only these (default: all).
    # Optionally, `merges`: {table: the upsert that adds one row to it} for the tables whose
    # rows events of different streams write (counters, earliest dates); a rebuild split by
    # stream merges its shares' rows through them (projections.shards). Only a view that
    # declares it (even empty: each row is one stream's) is split.
    # Optionally, `spooled`: {table: (columns of its deferred updates, the statement applying
    # them)} for tables only ever inserted into while applying (Batch.row) and changed only by
    # updates that can wait for the load (Batch.deferred): a rebuild's stage writes their rows
    # and those updates to files of COPY text instead of SQLite, and its load COPYs the rows,
    # then runs the statement with {table} and {deferred} (the updates, a temporary table) in
    # PostgreSQL (projections.spool, projections.stage_load).
    # Optionally, `apply_many(tx, envelopes)`: apply a batch of new events, in order, with the
    # same result as `apply` on each; the runner prefers it (projections/apply.py), so a view
    # may keep per-batch state (projections/batch.py) and write it before returning.
