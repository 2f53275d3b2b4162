"""Verification reports kept beside the event store, so the API can show the last one."""

from __future__ import annotations

from typing import Any

import orjson

from replay.report import Report
from replay.rows import is_postgres


def table_name(app_name: str) -> str:
    return f"{app_name.lower()}_verifications"


def _execute(recorder: Any, app_name: str, sql: str, params: tuple[Any, ...]) -> list[Any]:
    table = table_name(app_name)
    create = (f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, started_at TEXT NOT "
              "NULL, status TEXT NOT NULL, body TEXT NOT NULL)")
    sql = sql.format(table=table)
    if is_postgres(recorder):
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(create)
            curs.execute(sql.replace("?", "%s"), params)
            return [tuple(r.values()) for r in curs.fetchall()] if curs.description else []
    with recorder.datastore.transaction(commit=True) as c:
        c.execute(create)
        c.execute(sql, params)
        return list(c.fetchall())


def save(recorder: Any, app_name: str, report: Report) -> None:
    """Insert or update one report (a running one is saved at start, then again when done)."""
    body = orjson.dumps(report.as_dict()).decode()
    _execute(recorder, app_name,
             "INSERT INTO {table} (id, started_at, status, body) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body",
             (report.id, report.started_at, report.status, body))


def latest(recorder: Any, app_name: str, *, finished: bool = False) -> Report | None:
    """The most recently started report (or the most recent finished one)."""
    where = "WHERE status <> 'running' " if finished else ""
    rows = _execute(recorder, app_name,
                    "SELECT body FROM {table} " + where + "ORDER BY started_at DESC LIMIT 1", ())
    return Report.from_dict(orjson.loads(rows[0][0])) if rows else None


def get(recorder: Any, app_name: str, report_id: str) -> Report | None:
    """One report by id."""
    rows = _execute(recorder, app_name, "SELECT body FROM {table} WHERE id = ?", (report_id,))
    return Report.from_dict(orjson.loads(rows[0][0])) if rows else None
