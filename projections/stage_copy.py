"""Copying a rebuild's staged rows into PostgreSQL with COPY.

A staged SQLite table goes in row by row through psycopg's `write_row` (formatted in C);
a spool file (projections.spool) is COPY text already, and goes in as bytes. ADR 033
measured the other way it once had, the sqlite3 command-line shell writing CSV in a process
of its own, and why it went.
"""

from __future__ import annotations

import sqlite3
from typing import Any

CHUNK = 1 << 20


def copy_table(path: str, cursor: Any, table: str, where: str = "1 = 1") -> None:
    """COPY the rows of `table` in the stage file at `path` that match `where` (SQL, no
    parameters) into `table`, column by column by name."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        listed = ", ".join(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))
        with cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
            for row in conn.execute(f"SELECT {listed} FROM {table} WHERE {where}"):
                copy.write_row(row)
    finally:
        conn.close()


def copy_file(path: str, cursor: Any, table: str) -> None:
    """COPY a file of COPY text (projections.spool) into `table`, every column in order."""
    with open(path, "rb") as source, \
            cursor.copy(f"COPY {table} FROM STDIN (FORMAT text, ENCODING 'UTF8')") as copy:
        while chunk := source.read(CHUNK):
            copy.write(chunk)
