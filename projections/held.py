"""What a rebuild's stage holds over all its batches: counters and earliest dates.

Apart from projections.batch so that the view transaction's contract (projections.view) can
name it without importing the batch that writes through that contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ExecutesMany(Protocol):
    """A view transaction, as far as writing what is held needs it (projections.view.ViewTx)."""

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Held:
    """Counters and earliest dates held over every batch of a rebuild's stage, written once.

    Both are order-free and nothing reads them while applying, so a rebuild (which nobody
    reads before its swap) may write each key once at the end instead of once per batch:
    many batches touch the same days. Memory grows with the keys (authorities and days; for
    earliest dates, the subjects with a repair mark), not with each event.
    """

    def __init__(self) -> None:
        self.sums: dict[str, dict[tuple[Any, ...], list[int]]] = {}
        self.least_of: dict[str, dict[tuple[Any, ...], Any]] = {}

    def add(self, sql: str, sums: dict[tuple[Any, ...], list[int]]) -> None:
        held = self.sums.get(sql)
        if held is None:
            self.sums[sql] = sums  # a batch's own dict, no longer used by it
            return
        for key, amounts in sums.items():
            found = held.get(key)
            if found is None:
                held[key] = amounts
            else:
                for i, n in enumerate(amounts):
                    found[i] += n

    def least(self, sql: str, values: dict[tuple[Any, ...], Any]) -> None:
        held = self.least_of.get(sql)
        if held is None:
            self.least_of[sql] = values
            return
        for key, value in values.items():
            found = held.get(key)
            if found is None or value < found:
                held[key] = value

    def write(self, tx: ExecutesMany) -> None:
        """Write what is held (inside the stage's last transaction) and forget it."""
        for sql, sums in self.sums.items():
            tx.executemany(sql, [(*key, *amounts) for key, amounts in sums.items()])
        for sql, values in self.least_of.items():
            tx.executemany(sql, [(*key, value) for key, value in values.items()])
        self.sums, self.least_of = {}, {}
