"""A view's writes for one batch of events, sent with one executemany per statement.

Views apply a whole batch at once (`View.apply`): row by row, a statement's Python call and
its placeholder handling cost as much as SQLite's own work. Writes are held per statement
and flushed in an order that gives the same rows as running them one by one:

- inserts first (each statement keeps its order), then updates in their order. An update
  only ever targets rows inserted before it, so moving inserts ahead changes nothing, except
  for an insert of a row an earlier update of this batch tried to touch: such an insert
  first flushes what is pending, as the one-by-one order would have it;
- counters (`add`) are summed per key and written once, and "earliest date" columns
  (`least`) keep their minimum: both are order-free.

Each insert statement must be the only one inserting into its table with those keys.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from projections.view import ViewTx


class _Names(dict[str, str]):
    """Physical table names, looked up in the transaction on first use."""

    def __init__(self, tx: ViewTx) -> None:
        super().__init__()
        self.tx = tx

    def __missing__(self, table: str) -> str:
        name = self[table] = self.tx.t(table)
        return name


class Statements:
    """A view's templates resolved per set of physical table names, kept across batches."""

    def __init__(self, tables: Iterable[str]) -> None:
        self.tables = tuple(tables)
        self._by_names: dict[tuple[str, ...], dict[str, str]] = {}

    def resolved(self, tx: ViewTx) -> dict[str, str]:
        """Template -> SQL for this transaction's table names (filled as templates come)."""
        names = tuple(tx.t(table) for table in self.tables)
        found = self._by_names.get(names)
        if found is None:
            if len(self._by_names) >= 64:  # generations come and go: stay bounded
                self._by_names.clear()
            found = self._by_names[names] = {}
        return found


class Batch:
    """Pending writes of one view for one batch (see the module docstring for the order).

    Statements are templates naming logical tables, `INSERT INTO {profile_subject} ...`,
    resolved once per batch.
    """

    def __init__(self, tx: ViewTx, statements: Statements | None = None) -> None:
        self.tx = tx
        self.names = _Names(tx)
        self._sql: dict[str, str] = statements.resolved(tx) if statements else {}
        self.state: dict[str, Any] = {}  # a view's own per-batch memory, by a name it picks
        self.inserts: dict[str, list[Sequence[Any]]] = {}
        self.updates: list[tuple[str, list[Sequence[Any]]]] = []
        self.updated: set[Hashable] = set()
        self.sums: dict[str, dict[tuple[Any, ...], list[int]]] = {}
        self.least_of: dict[str, dict[tuple[Any, ...], Any]] = {}

    def sql(self, template: str) -> str:
        found = self._sql.get(template)
        if found is None:
            found = self._sql[template] = template.format_map(self.names)
        return found

    def insert(self, template: str, params: Sequence[Any], key: Hashable = None) -> None:
        """An insert; `key` names the row for updates of this batch (None: never updated)."""
        if key is not None and key in self.updated:
            self.flush()
        sql = self.sql(template)
        rows = self.inserts.get(sql)
        if rows is None:
            rows = self.inserts[sql] = []
        rows.append(params)

    def update(self, template: str, params: Sequence[Any], key: Hashable) -> None:
        """An update of the rows named `key` (as inserts name them)."""
        self.updated.add(key)
        sql = self.sql(template)
        if self.updates and self.updates[-1][0] == sql:
            self.updates[-1][1].append(params)
        else:
            self.updates.append((sql, [params]))

    def add(self, template: str, key: tuple[Any, ...], *amounts: int) -> None:
        """Counters: the statement upserts (*key, *amounts) adding the amounts to the row's."""
        sums = self.sums.get(template)
        if sums is None:
            sums = self.sums[template] = {}
        found = sums.get(key)
        if found is None:
            sums[key] = list(amounts)
        else:
            for i, n in enumerate(amounts):
                found[i] += n

    def least(self, template: str, key: tuple[Any, ...], value: Any) -> None:
        """The statement upserts (*key, value) keeping the row's smaller value."""
        values = self.least_of.get(template)
        if values is None:
            values = self.least_of[template] = {}
        found = values.get(key)
        if found is None or value < found:
            values[key] = value

    def flush(self) -> None:
        tx = self.tx
        for sql, rows in self.inserts.items():
            tx.executemany(sql, rows)
        for sql, rows in self.updates:
            tx.executemany(sql, rows)
        for template, sums in self.sums.items():
            tx.executemany(self.sql(template), [(*key, *amounts) for key, amounts in sums.items()])
        for template, values in self.least_of.items():
            tx.executemany(self.sql(template), [(*key, value) for key, value in values.items()])
        self.inserts, self.updates, self.updated = {}, [], set()
        self.sums, self.least_of = {}, {}
