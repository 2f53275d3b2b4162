"""A view's writes for one batch of events, sent with one executemany per statement.

Views apply a whole batch at once (`apply_many`): row by row, a statement's Python call and
its placeholder handling cost as much as SQLite's own work. Writes are held per statement
and flushed in an order that gives the same rows as running them one by one:

- inserts first (each statement keeps its order), then updates in their order. An update
  only ever targets rows inserted before it, so moving inserts ahead changes nothing, except
  for an insert of a row an earlier update of this batch tried to touch: such an insert
  first flushes what is pending, as the one-by-one order would have it;
- counters (`add`) are summed per key and written once, and "earliest date" columns
  (`least`) keep their minimum: both are order-free.

Each insert statement must be the only one inserting into its table with those keys.

In a rebuild's stage (its transaction's `spool` is set, projections.spool), the rows of a table
a view spools (`row`) go to the table's spool file instead, and the updates of those rows
(`deferred`) to a file the load applies after copying them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from projections.held import Held
from projections.spool import Spool, deferred_table
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
        self.spool: Spool | None = tx.spool
        self.spooled: dict[str, list[Sequence[Any]]] = {}

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

    def row(self, table: str, template: str, params: Sequence[Any], key: Hashable = None,
            ) -> None:
        """A row of a table the view spools (`spooled`): the insert `template`, except in a
        rebuild's stage, where the row (every column, in order) goes to the spool file."""
        if self.spool is None:
            self.insert(template, params, key)
            return
        self._spool(table, params)

    def deferred(self, table: str, template: str, params: Sequence[Any], key: Hashable,
                 later: Sequence[Any]) -> None:
        """An update of a spooled table's rows: `template` with `params`, except in a
        rebuild's stage, where `later` goes to the table's deferred file, for the view's
        statement that applies them once the rows are loaded (`spooled`)."""
        if self.spool is None:
            self.update(template, params, key)
            return
        self._spool(deferred_table(table), later)

    def _spool(self, table: str, row: Sequence[Any]) -> None:
        rows = self.spooled.get(table)
        if rows is None:
            rows = self.spooled[table] = []
        rows.append(row)

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
        # A rebuild's stage holds counters over its batches (Held); else they go now.
        held = tx.held
        counters = held if held is not None else Held()
        for template, sums in self.sums.items():
            counters.add(self.sql(template), sums)
        for template, values in self.least_of.items():
            counters.least(self.sql(template), values)
        if held is None:
            counters.write(tx)
        if self.spool is not None:
            for table, rows in self.spooled.items():
                self.spool.write(table, rows)
            self.spooled = {}
        self.inserts, self.updates, self.updated = {}, [], set()
        self.sums, self.least_of = {}, {}
