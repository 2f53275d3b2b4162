"""The contract between the projections and each read model (view).

A view owns a few tables, declared as portable SQL (SQLite and PostgreSQL), and applies a
batch of event envelopes inside the caller's transaction: the live runner's, or a rebuild's
(the same method, the same SQL). Physical table names carry the view set's generation, so a
rebuild fills fresh tables while the old ones keep serving. SQL in views uses `?`
placeholders; the transaction translates them for PostgreSQL.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol


class ViewTx(Protocol):
    """One open transaction on the view store, with table names resolved for a generation."""

    dialect: str  # "sqlite" or "postgresql"

    def t(self, table: str) -> str:
        """The physical name of a view table in this generation."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class View(ABC):
    """A read model fed by envelopes (see docs/events.md), deduplicated by the caller.

    Subclasses set:

    - `name`: unique among views (the API and `replay rebuild VIEW` use it);
    - `tables`: logical table name -> column definitions, e.g.
      {"profile": "code TEXT PRIMARY KEY, ..."}; types TEXT, INTEGER, BIGINT only, so both
      dialects and a rebuild's bulk load (projections.stage) take them;
    - `indexes`: extra index statements with {table} placeholders;
    - `apply_indexes`: those of `indexes` that `apply` itself needs (the WHERE of its updates
      and lookups); a rebuild's stage builds only these, the rest once the rows are loaded;
    - `merges`: {table: the upsert adding one row to it} for the tables whose rows events of
      different streams write (counters, earliest dates). A rebuild split over processes by
      stream combines the processes' rows of these tables through it; every other table's
      rows belong to one stream and are simply copied.
    """

    name: ClassVar[str]
    tables: dict[str, str]
    indexes: Sequence[str] = ()
    apply_indexes: Sequence[str] = ()
    merges: dict[str, str]

    @abstractmethod
    def apply(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        """Apply new events, in order; each (stream, version) comes at most once per
        generation. Batching is the view's business (projections.batch), but the result must
        be the same as applying them one at a time."""
