"""Verification reports kept beside the event store, so the API can show the last one."""

from __future__ import annotations

from typing import Any

import orjson

from ledger.store.sql import recorder_tx
from ledger.store.tables import VERIFICATIONS, ensure, verifications_table
from replay.report import Report


def table_name(app_name: str) -> str:
    return verifications_table(app_name)


def _table(recorder: Any, app_name: str) -> str:
    """The reports' table: made at setup with the store's tables (ledger/store/tables.py); here
    only on a store opened without table creation, once (docs/adr/034)."""
    table = table_name(app_name)
    ensure(recorder, {table: VERIFICATIONS})
    return table


def _bodies(recorder: Any, app_name: str, where: str, params: tuple[Any, ...]) -> list[Any]:
    table = _table(recorder, app_name)
    with recorder_tx(recorder, commit=False) as tx:  # a read: waits for no writer
        return tx.fetchall(f"SELECT body FROM {table} {where}", params)


def save(recorder: Any, app_name: str, report: Report) -> None:
    """Insert or update one report (a running one is saved at start, then again when done)."""
    body = orjson.dumps(report.as_dict()).decode()
    table = _table(recorder, app_name)
    with recorder_tx(recorder, commit=True) as tx:
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
