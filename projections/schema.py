"""The one definition of a view's tables in a database: created from its `tables` and `indexes`.

Every place that creates view tables goes through `create`: the runner's generations and a
rebuild's (projections.catalog, under the store's physical names), a rebuild's stage, a
staged rebuild's PostgreSQL tables (without primary keys until the rows are in), the
auditors' private views (replay.memory) and `replay rebuild --into SCHEMA`
(replay.schema_views). Callers differ only in the physical names they pass and in how they
name indexes (index names are schema-wide, table names carry the generation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from ledger.store.sql import POSTGRES, SQLITE
from projections.view import View, ViewTx

# PostgreSQL compares TEXT by the database's collation; under a libc locale (C.UTF-8 here)
# every comparison is a strcoll call and sorts get no abbreviated keys: a million score rows'
# index took twice as long to build. View and bookkeeping tables declare their text COLLATE
# "C" there: byte order, which for UTF-8 is codepoint order, as C.UTF-8 sorts and as SQLite
# (the embedded mode, a rebuild's stage) always sorts; under another database locale (say
# en_US) text sorts by bytes too, so both modes order the same.
_TEXT = re.compile(r"\bTEXT\b")
_INDEX = re.compile(r"\s*(CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?)(\w+)"
                    r"(\s+ON\s+)([\w.]+)", re.IGNORECASE)
_KEY = re.compile(r"PRIMARY\s+KEY", re.IGNORECASE)
_TABLE_KEY = re.compile(r",\s*PRIMARY\s+KEY\s*\(([^()]*)\)", re.IGNORECASE)
_COLUMN_KEY = re.compile(r"(\w+)(\s+\w+(?:\s+NOT\s+NULL)?)\s+PRIMARY\s+KEY\b", re.IGNORECASE)

IndexName = Callable[[str], str]  # an index's declared name -> its name in the database


def create(tx: ViewTx, view: View, names: Mapping[str, str], *, index_name: IndexName,
           indexes: Iterable[str] | None = None, keys: bool = True,
           replace: bool = False) -> None:
    """The view's tables under their physical `names`, then its indexes: all of `indexes`
    unless given (those to build now; () for none).

    `keys=False` leaves the primary keys out, for a bulk load (`add_keys` adds them after
    the rows: a key built once over loaded rows is a sort; kept up during COPY it is one
    random btree insert per row). `replace` drops tables of those names first."""
    for table, columns in view.tables.items():
        if replace:
            tx.execute(f"DROP TABLE IF EXISTS {names[table]}")
        if not keys:
            columns, _ = split_key(columns)
        tx.execute(f"CREATE TABLE IF NOT EXISTS {names[table]} ({columns_for(tx, columns)})")
    create_indexes(tx, view, names, index_name, indexes)


def create_indexes(tx: ViewTx, view: View, names: Mapping[str, str], index_name: IndexName,
                   statements: Iterable[str] | None = None) -> None:
    """The view's indexes (or only the statements given, from them)."""
    for statement in view.indexes if statements is None else statements:
        tx.execute(index_sql(statement, names, index_name, tx.dialect))


def add_keys(tx: ViewTx, view: View, names: Mapping[str, str]) -> None:
    """The primary keys `create(keys=False)` left out. The table ends up the same: ADD
    PRIMARY KEY names the constraint `<table>_pkey` and makes its columns NOT NULL, as the
    declaration in the CREATE TABLE would have."""
    for table, columns in view.tables.items():
        _, key = split_key(columns)
        if key is not None:
            tx.execute(f"ALTER TABLE {names[table]} ADD PRIMARY KEY ({key})")


def columns_for(tx: ViewTx, definitions: str) -> str:
    """Table definitions as this transaction's database takes them (see _TEXT)."""
    return _TEXT.sub('TEXT COLLATE "C"', definitions) if tx.dialect == POSTGRES \
        else definitions


def index_sql(statement: str, names: Mapping[str, str], index_name: IndexName,
              dialect: str) -> str:
    """An index statement on the physical tables, its index renamed by `index_name`. SQLite
    qualifies the index name with a schema, and wants the table bare."""
    sql = statement.format_map(names)
    found = _INDEX.match(sql)
    if found is None:
        return sql
    name, table = index_name(found[2]), found[4]
    if dialect == SQLITE and "." in table:
        schema, table = table.split(".", 1)
        name = f"{schema}.{name}"
    return f"{found[1]}{name}{found[3]}{table}{sql[found.end():]}"


def split_key(columns: str) -> tuple[str, str | None]:
    """(column definitions without the primary key, its columns), or (columns, None) when
    the definitions hold no single key this recognises."""
    if len(_KEY.findall(columns)) != 1:
        return columns, None
    if match := _TABLE_KEY.search(columns):
        return columns[:match.start()] + columns[match.end():], match.group(1).strip()
    if match := _COLUMN_KEY.search(columns):
        return columns[:match.start()] + match.group(1) + match.group(2) + \
            columns[match.end():], match.group(1)
    return columns, None
