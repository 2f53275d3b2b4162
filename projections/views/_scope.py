"""One region's share of the indicator view's rows, read by the scorecard's own code.

`ScopedTx` is a ViewTx in which every view table carrying a region reads as that region's
rows: a common table expression (`WITH r_ind_subject AS NOT MATERIALIZED (...)`) stands for
it. Tables with an `origin` column keep the rows of the region's origins; tables with a
`code` column the rows of its subjects; the others (and the score contributions, always
reached through a subject) read whole. So any indicator computed from the rows, however its
SQL is written, is computed for the region without a second version of it (docs/adr/026).
`whole(table)` names a table unscoped, for a rule that looks across regions (a duplicate
name registered in another county is still a duplicate).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from projections.view import ViewTx

# Read whole: the biggest table, reached through a scoped subject table in every query; a
# semi-join per query over it would cost more than the rows it saves.
UNSCOPED = frozenset({"score_contribution"})
_ORIGIN = re.compile(r"(^|,\s*)origin\s+TEXT", re.IGNORECASE)
_CODE = re.compile(r"(^|,\s*)code\s+TEXT", re.IGNORECASE)
_WITH = re.compile(r"^\s*WITH\s+", re.IGNORECASE)


def literal_list(values: Collection[str]) -> str:
    """SQL literals for an IN list; NULL (matching nothing) when empty."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) or "NULL"


class ScopedTx(ViewTx):
    """A ViewTx reading the scoped tables as one region's rows (see the module's doc)."""

    def __init__(self, tx: ViewTx, scopes: Mapping[str, str]) -> None:
        self.tx, self.dialect, self.scopes = tx, tx.dialect, dict(scopes)
        self._used = {name: re.compile(rf"\b{self.alias(name)}\b") for name in self.scopes}

    @staticmethod
    def alias(table: str) -> str:
        return f"r_{table}"

    def t(self, table: str) -> str:
        return self.alias(table) if table in self.scopes else self.tx.t(table)

    def whole(self, table: str) -> str:
        return self.tx.t(table)

    def unscoped(self) -> ViewTx:
        return self.tx

    def _with(self, sql: str) -> str:
        used = [f"{self.alias(n)} AS NOT MATERIALIZED ({self.scopes[n]})"
                for n, pattern in self._used.items() if pattern.search(sql)]
        if not used:
            return sql
        head = "WITH " + ", ".join(used)
        found = _WITH.match(sql)
        return f"{head}, {sql[found.end():]}" if found else f"{head} {sql}"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.tx.execute(self._with(sql), params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.tx.fetchone(self._with(sql), params)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.tx.fetchall(self._with(sql), params)


def scoped(tx: ViewTx, tables: Mapping[str, str], subjects: str,
           origins: Collection[str]) -> ScopedTx:
    """`tx` scoped to the subjects of these origins; `tables` (logical name → columns) are the
    tables to consider, `subjects` the one holding each subject's code and origin."""
    keep = f"origin IN ({literal_list(origins)})"
    members = f"code IN (SELECT code FROM {tx.t(subjects)} WHERE {keep})"
    scopes: dict[str, str] = {}
    for name, columns in tables.items():
        if name in UNSCOPED:
            continue
        if _ORIGIN.search(columns):
            scopes[name] = f"SELECT * FROM {tx.t(name)} WHERE {keep}"
        elif _CODE.search(columns):
            scopes[name] = f"SELECT * FROM {tx.t(name)} WHERE {members}"
    return ScopedTx(tx, scopes)
