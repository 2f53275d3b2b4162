"""Copying a staged SQLite table into PostgreSQL with COPY, formatted outside Python.

Fetching every staged row into Python and handing it to psycopg's `write_row` cost about as
much CPU as a third of the views themselves. The sqlite3 command-line shell writes CSV in C,
in a process of its own; this process only moves its bytes into COPY. Without the shell (or
for a table whose values CSV could not carry exactly) rows go the Python way.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from typing import Any

CHUNK = 1 << 20
# The shell prints integers and text exactly; REAL would lose digits (%.15g), so any other
# column type takes the Python way.
CSV_TYPES = frozenset({"TEXT", "INTEGER", "BIGINT"})


def columns(path: str, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of a staged table's columns."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [(row[1], str(row[2]).upper())
                for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def copy_table(path: str, cursor: Any, table: str, where: str = "1 = 1") -> None:
    """COPY the rows of `table` in the stage file at `path` that match `where` (no params)
    into `table`. ADR 033 measured the shell against the Python way alone."""
    info = columns(path, table)
    listed = ", ".join(name for name, _ in info)
    select = f"SELECT {listed} FROM {table} WHERE {where}"
    shell = shutil.which("sqlite3")
    # A lone `\.` line ends CSV data: only a one-column table could print one unquoted.
    if shell and len(info) > 1 and all(kind in CSV_TYPES for _, kind in info):
        copy_csv(shell, path, cursor, f"COPY {table} ({listed}) FROM STDIN "
                 "(FORMAT csv, ENCODING 'UTF8')", select)
    else:
        copy_rows(path, cursor, f"COPY {table} ({listed}) FROM STDIN", select, ())


def copy_csv(shell: str, path: str, cursor: Any, statement: str, select: str) -> None:
    """The shell's CSV: NULL prints as an unquoted empty field, '' as "" (as COPY reads them)."""
    child = subprocess.Popen(
        [shell, "-init", "/dev/null", "-batch", "-bail", "-readonly", "-csv", "-noheader",
         path, select], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    try:
        with cursor.copy(statement) as copy:
            while chunk := child.stdout.read(CHUNK):
                copy.write(chunk)
            if child.wait() != 0:  # raising inside the block aborts the COPY
                raise RuntimeError(f"sqlite3 failed on the stage: "
                                   f"{child.stderr.read().decode(errors='replace')}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()


def copy_rows(path: str, cursor: Any, statement: str, select: str,
              params: Sequence[Any]) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with cursor.copy(statement) as copy:
            for row in conn.execute(select, params):
                copy.write_row(row)
    finally:
        conn.close()


def copy_file(path: str, cursor: Any, table: str) -> None:
    """COPY a file of COPY text (projections.spool) into `table`, every column in order."""
    with open(path, "rb") as source, \
            cursor.copy(f"COPY {table} FROM STDIN (FORMAT text, ENCODING 'UTF8')") as copy:
        while chunk := source.read(CHUNK):
            copy.write(chunk)
