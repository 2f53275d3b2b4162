"""A rebuild's stage reaches PostgreSQL value for value, whatever characters the views hold,
in tables that end up as declared."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from projections import catalog, stage_copy
from projections.storage import ViewStore
from projections.views import load_views

pytestmark = pytest.mark.postgres

AWKWARD = ["plain", "", None, "tab\there", "new\nline", "cr\rreturn", "back\\slash", "\\N",
           "\\.", 'quote "q"', "comma, here", " spaced ", "中文名称（有限公司）", "end\\"]


@pytest.fixture
def pg(pg_url: str, unique_name: str) -> Iterator[tuple[psycopg.Connection, str]]:
    conn = psycopg.connect(pg_url, autocommit=True)
    table = f"{unique_name.lower()}_stage_copy"
    try:
        yield conn, table
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.close()


def stage(tmp_path: Path, table: str, columns: str, rows: list[tuple[object, ...]]) -> str:
    path = str(tmp_path / "stage.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE {table} ({columns})")
    conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("shell", [True, False], ids=["sqlite3-shell", "python"])
def test_text_and_integers_arrive_exactly(tmp_path: Path, pg: tuple[psycopg.Connection, str],
                                          shell: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not shell:
        monkeypatch.setattr(stage_copy.shutil, "which", lambda name: None)
    conn, table = pg
    columns = "k INTEGER PRIMARY KEY, t TEXT, n BIGINT"
    rows = [(i, value, None if i % 3 else 2**40 + i) for i, value in enumerate(AWKWARD)]
    path = stage(tmp_path, table, columns, rows)
    conn.execute(f"CREATE TABLE {table} ({columns})")
    with conn.transaction(), conn.cursor() as cur:
        stage_copy.copy_table(path, cur, table, "k >= 1")
    got = conn.execute(f"SELECT k, t, n FROM {table} ORDER BY k").fetchall()
    assert got == rows[1:]


def test_a_real_column_keeps_every_digit(tmp_path: Path,
                                         pg: tuple[psycopg.Connection, str]) -> None:
    conn, table = pg
    columns = "k TEXT PRIMARY KEY, x REAL"
    rows = [("a", 0.1 + 0.2), ("b", None), ("c", 1e300)]
    path = stage(tmp_path, table, columns, rows)
    conn.execute(f"CREATE TABLE {table} (k TEXT PRIMARY KEY, x DOUBLE PRECISION)")
    with conn.transaction(), conn.cursor() as cur:
        stage_copy.copy_table(path, cur, table)
    assert conn.execute(f"SELECT k, x FROM {table} ORDER BY k").fetchall() == rows


def definition(conn: psycopg.Connection, table: str) -> tuple[list[Any], list[Any]]:
    """Columns (name, type, nullable, default) and constraints (name, type, columns)."""
    columns = conn.execute(
        "SELECT column_name, data_type, is_nullable, column_default FROM "
        "information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        (table,)).fetchall()
    constraints = conn.execute(
        "SELECT replace(c.conname, %s, ''), c.contype, array_agg(a.attname ORDER BY a.attnum) "
        "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND "
        "a.attnum = ANY(c.conkey) WHERE c.conrelid = %s::regclass GROUP BY c.conname, "
        "c.contype", (table, table)).fetchall()
    return columns, constraints


def test_tables_keyed_after_the_load_are_the_declared_tables(
        pg_url: str, unique_name: str) -> None:
    conn = psycopg.connect(pg_url, autocommit=True)
    declared, bare = ViewStore(pg_url, f"{unique_name.lower()}_d"), \
        ViewStore(pg_url, f"{unique_name.lower()}_b")
    views = load_views()
    try:
        with declared.transaction(conn) as tx:
            for view in views:
                catalog.create_tables(tx, declared, view, 1, indexes=())
        with bare.transaction(conn) as tx:
            for view in views:
                catalog.create_tables(tx, bare, view, 1, indexes=(), keys=False)
                catalog.add_keys(tx, bare, view, 1)
        for view in views:
            for table in view.tables:
                assert definition(conn, bare.physical(table, 1)) == \
                    definition(conn, declared.physical(table, 1)), table
    finally:
        for store in (declared, bare):
            for view in views:
                for table in view.tables:
                    conn.execute(f"DROP TABLE IF EXISTS {store.physical(table, 1)}")
        conn.close()
