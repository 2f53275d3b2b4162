"""Fresh PostgreSQL tables for a bulk load: the primary key is added after the rows.

A primary key built once over loaded rows is a sort; kept up during COPY it is one random
btree insert per row (the keys of score rows are event UUIDs). The table ends up the same:
ADD PRIMARY KEY names the constraint `<table>_pkey` and makes its columns NOT NULL, as the
declaration in the CREATE TABLE would have.
"""

from __future__ import annotations

import re

from projections import catalog
from projections.storage import Tx, ViewStore
from projections.view import View

_KEY = re.compile(r"PRIMARY\s+KEY", re.IGNORECASE)
_TABLE_KEY = re.compile(r",\s*PRIMARY\s+KEY\s*\(([^()]*)\)", re.IGNORECASE)
_COLUMN_KEY = re.compile(r"(\w+)(\s+\w+(?:\s+NOT\s+NULL)?)\s+PRIMARY\s+KEY\b", re.IGNORECASE)


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


def create(tx: Tx, store: ViewStore, view: View, generation: int) -> None:
    """The view's tables without their primary keys (see `add_keys`)."""
    for table, columns in view.tables.items():
        bare, _ = split_key(columns)
        tx.execute(f"CREATE TABLE IF NOT EXISTS {store.physical(table, generation)} "
                   f"({catalog.columns_for(tx, bare)})")


def add_keys(tx: Tx, store: ViewStore, view: View, generation: int) -> None:
    for table, columns in view.tables.items():
        _, key = split_key(columns)
        if key is not None:
            tx.execute(f"ALTER TABLE {store.physical(table, generation)} ADD PRIMARY KEY ({key})")
