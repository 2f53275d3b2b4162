"""A rebuild's stage reaches PostgreSQL value for value, whatever characters the views hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from projections import stage_copy

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
