"""The runner's bookkeeping tables: generation pointers, offsets and per-stream versions.

A *lane* is one consumer position over the feed: lane 0 feeds the serving generations, and a
rebuild runs in its own lane (numbered like the generation it builds) until it is swapped in.
Per-stream order is guaranteed, so dedupe keeps one row per stream (the last version applied)
rather than one per event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

import orjson

from projections import schema
from projections.schema import columns_for
from projections.tx import Tx

if TYPE_CHECKING:
    from projections.view import View


class Naming(Protocol):
    """What the catalog needs of a view store: its prefix and its physical table names
    (projections.storage.ViewStore is one)."""

    prefix: str

    def physical(self, table: str, generation: int | None = None) -> str: ...


TABLES = ("proj_generation", "proj_offsets", "proj_streams", "proj_meta")
LIVE = 0
CHUNK = 500
# Bookkeeping tables, their text in byte order on PostgreSQL as the views' (projections.schema).

DDL = (
    "CREATE TABLE IF NOT EXISTS {proj_generation} (view TEXT PRIMARY KEY, "
    "generation INTEGER NOT NULL, schema TEXT NOT NULL, tables TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {proj_offsets} (generation INTEGER NOT NULL, "
    "part INTEGER NOT NULL, next_offset BIGINT NOT NULL, position BIGINT NOT NULL, "
    "PRIMARY KEY (generation, part))",
    "CREATE TABLE IF NOT EXISTS {proj_streams} (generation INTEGER NOT NULL, "
    "stream TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (generation, stream))",
    "CREATE TABLE IF NOT EXISTS {proj_meta} (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
)


def create(tx: Tx) -> None:
    for statement in DDL:
        tx.execute(columns_for(tx, statement.format_map(tx.names)))


def schema_of(view: View) -> str:
    """A fingerprint of a view's table definitions: a change means the view must be rebuilt."""
    body = orjson.dumps([sorted(view.tables.items()), list(view.indexes)])
    return hashlib.sha256(body).hexdigest()[:16]


# -- generations ----------------------------------------------------------------------


def generations(tx: Tx) -> dict[str, tuple[int, str, list[str]]]:
    rows = tx.fetchall(f"SELECT view, generation, schema, tables FROM {tx.t('proj_generation')}")
    return {v: (int(g), s, t.split(",") if t else []) for v, g, s, t in rows}


def current_names(store: Naming, tx: Tx) -> dict[str, str]:
    """Logical table name -> physical name in its view's serving generation."""
    return {table: store.physical(table, gen)
            for gen, _, tables in generations(tx).values() for table in tables}


def names_for(store: Naming, views: Iterable[View], generation: int) -> dict[str, str]:
    return {table: store.physical(table, generation) for v in views for table in v.tables}


def point(tx: Tx, view: View, generation: int) -> None:
    tx.execute(f"INSERT INTO {tx.t('proj_generation')} (view, generation, schema, tables) "
               "VALUES (?, ?, ?, ?) ON CONFLICT (view) DO UPDATE SET "
               "generation = excluded.generation, schema = excluded.schema, "
               "tables = excluded.tables",
               (view.name, generation, schema_of(view), ",".join(sorted(view.tables))))


def next_generation(tx: Tx) -> int:
    row = tx.fetchone(f"SELECT value FROM {tx.t('proj_meta')} WHERE key = 'generation'")
    used = [int(row[0])] if row else []
    used += [int(g) for (g,) in tx.fetchall(
        f"SELECT generation FROM {tx.t('proj_generation')} UNION "
        f"SELECT generation FROM {tx.t('proj_offsets')}")]
    generation = max(used, default=0) + 1
    tx.execute(f"INSERT INTO {tx.t('proj_meta')} (key, value) VALUES ('generation', ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (generation,))
    return generation


def index_name(store: Naming, generation: int) -> schema.IndexName:
    """Index names of a generation: schema-wide, so prefixed like its tables."""
    def name(declared: str) -> str:
        found = f"{store.prefix}_g{generation}_{declared}"
        if len(found) > 60:  # PostgreSQL truncates identifiers at 63 bytes
            found = f"ix_{hashlib.sha1(found.encode()).hexdigest()[:24]}_g{generation}"
        return found

    return name


def create_tables(tx: Tx, store: Naming, view: View, generation: int, *,
                  indexes: Iterable[str] | None = None, keys: bool = True) -> None:
    """A view's tables in a generation, and its indexes (all, or those given: () for none);
    `keys=False` for a bulk load (projections.schema.create)."""
    schema.create(tx, view, names_for(store, [view], generation),
                  index_name=index_name(store, generation), indexes=indexes, keys=keys)


def create_indexes(tx: Tx, store: Naming, view: View, generation: int) -> None:
    """A view's indexes in a generation, once its rows are loaded (keys first: add_keys)."""
    schema.create_indexes(tx, view, names_for(store, [view], generation),
                          index_name(store, generation))


def add_keys(tx: Tx, store: Naming, view: View, generation: int) -> None:
    """The primary keys of a view's tables created with `keys=False`."""
    schema.add_keys(tx, view, names_for(store, [view], generation))


def drop_tables(tx: Tx, store: Naming, tables: Iterable[str], generation: int) -> None:
    for table in tables:
        tx.execute(f"DROP TABLE IF EXISTS {store.physical(table, generation)}")


# -- lanes: offsets and dedupe ----------------------------------------------------------


def offsets(tx: Tx, lane: int) -> dict[int, int]:
    rows = tx.fetchall(f"SELECT part, next_offset FROM {tx.t('proj_offsets')} "
                       "WHERE generation = ?", (lane,))
    return {int(p): int(o) for p, o in rows}


def position(tx: Tx, lane: int = LIVE) -> int:
    """The highest envelope position applied in a lane (per-partition order makes it a max)."""
    row = tx.fetchone(f"SELECT max(position) FROM {tx.t('proj_offsets')} WHERE generation = ?",
                      (lane,))
    return int(row[0]) if row and row[0] is not None else 0


def save_offsets(tx: Tx, lane: int, moved: Mapping[int, tuple[int, int]]) -> None:
    table = tx.t("proj_offsets")
    tx.executemany(
        f"INSERT INTO {table} (generation, part, next_offset, position) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (generation, part) DO UPDATE SET "
        "next_offset = excluded.next_offset, position = CASE WHEN excluded.position > "
        f"{table}.position THEN excluded.position ELSE {table}.position END",
        [(lane, p, nxt, pos) for p, (nxt, pos) in sorted(moved.items())])


def versions(tx: Tx, lane: int, streams: Iterable[str]) -> dict[str, int]:
    """The last version applied per stream, for the streams given."""
    wanted = sorted(set(streams))
    found: dict[str, int] = {}
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i:i + CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(tx.fetchall(f"SELECT stream, version FROM {tx.t('proj_streams')} "
                                 f"WHERE generation = ? AND stream IN ({marks})", [lane, *chunk]))
    return found


def save_versions(tx: Tx, lane: int, moved: Mapping[str, int]) -> None:
    tx.executemany(
        f"INSERT INTO {tx.t('proj_streams')} (generation, stream, version) VALUES (?, ?, ?) "
        "ON CONFLICT (generation, stream) DO UPDATE SET version = excluded.version",
        [(lane, s, v) for s, v in moved.items()])


def applied(tx: Tx, stream: str, version: int, lane: int = LIVE) -> bool:
    row = tx.fetchone(f"SELECT version FROM {tx.t('proj_streams')} "
                      "WHERE generation = ? AND stream = ?", (lane, stream))
    return row is not None and int(row[0]) >= version


def drop_lane(tx: Tx, lane: int) -> None:
    for table in ("proj_offsets", "proj_streams"):
        tx.execute(f"DELETE FROM {tx.t(table)} WHERE generation = ?", (lane,))


def adopt_lane(tx: Tx, lane: int) -> None:
    """Make a rebuild lane the live one (a rebuild of every view that ran ahead)."""
    drop_lane(tx, LIVE)
    for table in ("proj_offsets", "proj_streams"):
        tx.execute(f"UPDATE {tx.t(table)} SET generation = ? WHERE generation = ?", (LIVE, lane))

