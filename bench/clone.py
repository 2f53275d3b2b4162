"""Multiply a projected city's lookup views in place, for lookups at 100k and 1M subjects.

Importing a million subjects does not fit in `make bench`'s ten minutes, so the profile and
list rows of the projected city are copied with suffixed codes (`CODE-k`), in SQL, into the
serving tables themselves. The copies are real rows of the real schema, with the real indexes;
only the codes differ (and principals and listing ids, which must stay unique). To load fast
the tables are made UNLOGGED and their indexes are built after the load; reads are the same.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from bench.common import DATABASE_URL
from projections.storage import ViewStore, table_prefix

TABLES = ("profile_subject", "profile_permit", "profile_penalty", "profile_commitment",
          "profile_principal", "list_entry")
SUFFIXED = {"code", "principal", "listing_id", "commitment_id"}
# Rows of the projected city, not copies: a USCC has no '-', a pseudonym exactly one ("p-").
ORIGINAL = ("position('-' in code) = 0 OR code LIKE 'p-%%' "
            "AND length(code) - length(replace(code, '-', '')) = 1")


def physical_names(app: str) -> dict[str, str]:
    store = ViewStore(DATABASE_URL, table_prefix(app), pool_size=1)
    try:
        with store.reader() as tx:
            return {t: tx.t(t) for t in TABLES}
    finally:
        store.close()


def columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                        "table_name = %s ORDER BY ordinal_position", (table,)).fetchall()
    return [r[0] for r in rows]


def multiply(app: str, first: int, last: int) -> dict[str, float]:
    """Add copies number first..last of every original row; seconds and rows added."""
    names = physical_names(app)
    started = time.perf_counter()
    added = 0
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        for table in names.values():
            # No WAL for copies that are dropped after the run, and indexes built once at the
            # end rather than row by row: reads go through the same plans and indexes.
            conn.execute(f"ALTER TABLE {table} SET UNLOGGED")
            rebuild = drop_indexes(conn, table)
            cols = columns(conn, table)
            select = ", ".join(f"{c} || '-' || k" if c in SUFFIXED else c for c in cols)
            cur = conn.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {table} "
                f"CROSS JOIN generate_series(%s::int, %s::int) AS k WHERE {ORIGINAL}",
                (first, last))
            added += cur.rowcount
            for statement in rebuild:
                conn.execute(statement)
            conn.execute(f"ANALYZE {table}")
    return {"seconds": time.perf_counter() - started, "rows": added}


def drop_indexes(conn: psycopg.Connection[Any], table: str) -> list[str]:
    """Drop a table's keys and indexes; the statements that put them back."""
    keys = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
                        (table,)).fetchall()
    indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                           (table,)).fetchall()
    for name, _ in keys:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    plain = [(name, sql) for name, sql in indexes if name not in {k for k, _ in keys}]
    for name, _ in plain:
        conn.execute(f"DROP INDEX {name}")
    return ([f"ALTER TABLE {table} ADD CONSTRAINT {name} {sql}" for name, sql in keys]
            + [sql for _, sql in plain])


def subjects(app: str) -> int:
    table = physical_names(app)["profile_subject"]
    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def size_mb(app: str) -> float:
    names = list(physical_names(app).values())
    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute("SELECT sum(pg_total_relation_size(t::regclass)) FROM "
                           "unnest(%s::text[]) AS t", (names,)).fetchone()
    return float(row[0] or 0) / 1e6 if row else 0.0
