"""A rebuild's stage reaches PostgreSQL value for value, whatever characters the views hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from projections.stage import copy

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


def test_text_and_integers_arrive_exactly(tmp_path: Path,
                                          pg: tuple[psycopg.Connection, str]) -> None:
    conn, table = pg
    columns = "k INTEGER PRIMARY KEY, t TEXT, n BIGINT"
    rows = [(i, value, None if i % 3 else 2**40 + i) for i, value in enumerate(AWKWARD)]
    source = sqlite3.connect(str(tmp_path / "stage.sqlite3"))
    source.execute(f"CREATE TABLE {table} ({columns})")
    source.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", rows)
    conn.execute(f"CREATE TABLE {table} ({columns})")
    with conn.transaction(), conn.cursor() as cur:
        copy(source, table, cur, table, "k >= 1")
    source.close()
    got = conn.execute(f"SELECT k, t, n FROM {table} ORDER BY k").fetchall()
    assert got == rows[1:]
