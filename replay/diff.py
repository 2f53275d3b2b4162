"""Rebuilt views against the live ones, row by row.

The live views are read in one consistent snapshot together with the (stream, version) pairs
they have applied; the rebuild applies exactly those events, from the store or from Kafka,
into a private target. Any row present on one side only is a difference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from projections import catalog
from projections.digest import normalise
from projections.feed import Feed
from projections.storage import Tx, ViewStore
from projections.view import View
from replay.memory import MemoryViews
from replay.report import Progress
from replay.sidebuild import Built, Cut, build

EXAMPLES = 5  # rows shown per side and table


@dataclass
class TableDiff:
    table: str
    live_rows: int
    rebuilt_rows: int
    only_live: list[Any] = field(default_factory=list)
    only_rebuilt: list[Any] = field(default_factory=list)
    only_live_total: int = 0
    only_rebuilt_total: int = 0

    @property
    def same(self) -> bool:
        return self.only_live_total == 0 and self.only_rebuilt_total == 0


@dataclass
class Diff:
    tables: list[TableDiff]
    built: Built
    streams: int
    lacking: dict[str, int]  # streams the feed could not bring up to the live version

    @property
    def same(self) -> bool:
        return not self.lacking and all(t.same for t in self.tables)


def rows_of(tx: Tx, table: str) -> Counter[bytes]:
    """A table's rows as a multiset of canonical JSON lines (one spelling on both backends)."""
    return Counter(orjson.dumps([normalise(v) for v in row])
                   for row in tx.fetchall(f"SELECT * FROM {tx.t(table)}"))


def live_snapshot(store: ViewStore, views: Sequence[View],
                  ) -> tuple[dict[str, int], dict[str, Counter[bytes]]]:
    """What the live views applied (stream -> version) and their rows, read consistently."""
    with store.reader() as tx:
        applied = {str(s): int(v) for s, v in tx.fetchall(
            f"SELECT stream, version FROM {tx.t('proj_streams')} WHERE generation = ?",
            (catalog.LIVE,))}
        served = {t for _, _, names in catalog.generations(tx).values() for t in names}
        if not served:
            raise LookupError("the live views are not built yet: run `credit-ledger project`")
        rows = {t: rows_of(tx, t) for v in views for t in v.tables if t in served}
    return applied, rows


def compare(table: str, live: Counter[bytes], rebuilt: Counter[bytes]) -> TableDiff:
    only_live, only_rebuilt = live - rebuilt, rebuilt - live
    return TableDiff(table, live.total(), rebuilt.total(),
                     [orjson.loads(r) for r in sorted(only_live)[:EXAMPLES]],
                     [orjson.loads(r) for r in sorted(only_rebuilt)[:EXAMPLES]],
                     only_live.total(), only_rebuilt.total())


def diff(store: ViewStore, feed: Feed, views: Sequence[View], *,
         progress: Progress | None = None) -> Diff:
    """Rebuild in memory the events the live views hold, then compare every table."""
    applied, live = live_snapshot(store, views)
    target = MemoryViews(views)
    try:
        built = build(feed, target, Cut(versions=applied), progress=progress)
        tx = target.tx()
        tables = [compare(t, rows, rows_of(tx, t)) for t, rows in sorted(live.items())]
    finally:
        target.close()
    lacking = {s: v for s, v in applied.items() if built.applied.get(s, 0) != v}
    return Diff(tables, built, len(applied), lacking)
