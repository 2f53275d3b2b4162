"""Verification reports kept beside the event store, so the API can show the last one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from ledger.store.sql import Tx, recorder_tx
from replay.report import Report


def table_name(app_name: str) -> str:
    return f"{app_name.lower()}_verifications"


@contextmanager
def _table(recorder: Any, app_name: str) -> Iterator[tuple[Tx, str]]:
    """A transaction in the store's database, with the reports' table made if missing.

    The table is made in a transaction of its own, so that a write is the first statement of
    the next. On SQLite a transaction that read first (CREATE TABLE IF NOT EXISTS of a table
    that exists is a read) cannot wait for the write lock: once another connection (the
    views' runner, in the same file) has committed since, its write fails at once with
    "database is locked", busy timeout or not, and POST /v1/audit/verify answered 500.
    """
    table = table_name(app_name)
    with recorder_tx(recorder, commit=True) as tx:
        tx.execute(f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, started_at TEXT "
                   "NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL)")
    with recorder_tx(recorder, commit=True) as tx:
        yield tx, table


def _bodies(recorder: Any, app_name: str, where: str, params: tuple[Any, ...]) -> list[Any]:
    with _table(recorder, app_name) as (tx, table):
        return tx.fetchall(f"SELECT body FROM {table} {where}", params)


def save(recorder: Any, app_name: str, report: Report) -> None:
    """Insert or update one report (a running one is saved at start, then again when done)."""
    body = orjson.dumps(report.as_dict()).decode()
    with _table(recorder, app_name) as (tx, table):
        tx.execute(f"INSERT INTO {table} (id, started_at, status, body) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
                   "body = excluded.body", (report.id, report.started_at, report.status, body))


def latest(recorder: Any, app_name: str, *, finished: bool = False) -> Report | None:
    """The most recently started report (or the most recent finished one)."""
    where = "WHERE status <> 'running' " if finished else ""
    rows = _bodies(recorder, app_name, where + "ORDER BY started_at DESC LIMIT 1", ())
    return Report.from_dict(orjson.loads(rows[0][0])) if rows else None


def get(recorder: Any, app_name: str, report_id: str) -> Report | None:
    """One report by id."""
    rows = _bodies(recorder, app_name, "WHERE id = ?", (report_id,))
    return Report.from_dict(orjson.loads(rows[0][0])) if rows else None
