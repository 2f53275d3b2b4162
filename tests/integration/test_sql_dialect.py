"""The one SQL dialect adapter: the same `?` SQL on the embedded SQLite and on real PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
import pytest

from ledger.store.sql import POSTGRES, SQLITE, Tx


@pytest.fixture
def tx(database_url: str, unique_name: str) -> Iterator[Tx]:
    """One open transaction on a fresh table `<name>_notes`, rolled back at the end."""
    if database_url.startswith("sqlite"):
        conn: object = sqlite3.connect(database_url[len("sqlite:///"):])
        cursor, dialect = conn.cursor(), SQLITE  # type: ignore[attr-defined]
    else:
        conn = psycopg.connect(database_url)
        cursor, dialect = conn.cursor(), POSTGRES  # type: ignore[attr-defined]
    try:
        t = Tx(cursor, dialect)
        t.execute(f"CREATE TABLE {unique_name}_notes (id TEXT PRIMARY KEY, note TEXT)")
        yield t
    finally:
        conn.rollback()  # type: ignore[attr-defined]
        conn.close()  # type: ignore[attr-defined]


def test_a_literal_percent_and_a_nul_parameter_work_in_both_dialects(
        tx: Tx, unique_name: str) -> None:
    # A search for "50%" written as LIKE: PostgreSQL's driver would read a bare `%` as a
    # placeholder of its own. And a note carrying a NUL, as events stored before the edge
    # rules may: PostgreSQL text cannot hold one, so it arrives as U+FFFD.
    table = f"{unique_name}_notes"
    tx.executemany(f"INSERT INTO {table} (id, note) VALUES (?, ?)",
                   [("a", "50% paid"), ("b", "paid in full"), ("c", "PJ-2026\x00-0001")])
    tx.execute(f"UPDATE {table} SET note = ? WHERE id = ?", ("paid 100%", "b"))
    tx.execute(f"INSERT INTO {table} (id, note) VALUES (?, ?)", ("d", "甲\x00乙"))

    found = tx.fetchall(f"SELECT id FROM {table} WHERE note LIKE '%0\\%%' ESCAPE '\\' "
                        "ORDER BY id")
    assert found == [("a",), ("b",)]
    nul = "\ufffd" if tx.dialect == POSTGRES else "\x00"
    assert tx.fetchone(f"SELECT note FROM {table} WHERE id = ?", ("c",)) == (
        f"PJ-2026{nul}-0001",)
    assert tx.fetchone(f"SELECT note FROM {table} WHERE id = ?", ("d",)) == (f"甲{nul}乙",)
    assert tx.fetchone(f"SELECT count(*) FROM {table} WHERE note LIKE ?", ("%paid%",)) == (2,)
