"""Rows a rebuild's stage writes straight to files of COPY text instead of into SQLite.

The biggest view tables (the score contributions, four rows for five events; permits and
penalties) are only ever inserted into while applying, nothing reads them before the load,
and their changes (ending a record's contributions; revoking a permit, closing a penalty)
can wait for the load (a view declares this in `spooled`, see projections/view.py, and ADR
011). In a stage, such a table's rows are appended to a file per share in PostgreSQL's COPY
text format, and the updates that would have changed them to a second file, instead of
costing a SQLite insert each (about 5 us a row, index included) and then the sqlite3 shell's
CSV on the way out (about 2 us). The load COPYs the file as it is, then applies the deferred
updates with the view's SQL (projections.stage_load.load). Compiled by mypyc
(projections.compiled): nothing patches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

DEFERRED = "deferred"  # the file of a spooled table's deferred updates: <table>.deferred


def spool_path(stage_path: str, table: str) -> str:
    """The file of a stage's rows of `table` (logical name), beside the stage file."""
    return f"{stage_path}.{table}.copy"


def deferred_table(table: str) -> str:
    return f"{table}.{DEFERRED}"


def copy_text(value: str) -> str:
    """A text value as COPY's text format writes it: backslash, tab, newline and carriage
    return escaped."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def copy_line(row: Sequence[Any]) -> str:
    """One row in COPY's text format: tab-separated, NULL as \\N, ending in a newline. Only
    text, integers and NULL: anything else is refused rather than written as its repr."""
    fields: list[str] = []
    for value in row:
        if value is None:
            fields.append("\\N")
        elif isinstance(value, str):
            fields.append(copy_text(value))
        elif isinstance(value, int):
            fields.append(str(int(value)))  # a bool as 0 or 1, as SQLite would store it
        else:
            raise TypeError(f"a spooled row holds text, integers and NULL only, not "
                            f"{type(value).__name__}: {value!r}")
    return "\t".join(fields) + "\n"


class Spool:
    """A stage's spool files, one per declared table (`declare`, with its deferred updates'),
    created empty at once so that a file missing at the load is an error, not "no rows"."""

    def __init__(self, stage_path: str) -> None:
        self.stage_path = stage_path
        self.files: dict[str, IO[str]] = {}

    def declare(self, tables: Sequence[str]) -> None:
        """The tables views spool (logical names): each gets its file and its deferred file."""
        for table in tables:
            for name in (table, deferred_table(table)):
                if name not in self.files:
                    self.files[name] = open(  # noqa: SIM115 (closed by `close`)
                        spool_path(self.stage_path, name), "w", encoding="utf-8",
                        newline="", buffering=1 << 20)

    def write(self, table: str, rows: Sequence[Sequence[Any]]) -> None:
        """Append rows to `table`'s file (a logical name, or `deferred_table(name)`)."""
        found = self.files.get(table)
        if found is None:
            raise RuntimeError(f"rows of {table!r} were spooled, but no view declares it "
                               "in `spooled` (or the stage is closed): they would be lost")
        found.write("".join([copy_line(row) for row in rows]))

    def close(self) -> None:
        for file in self.files.values():
            file.close()
        self.files = {}
