"""Raw reads of the event store's table: rows exactly as stored, bypassing the library's mapper.

Auditors must see what the database holds, not what a decoder makes of it, so these queries
read `state` bytes directly (PostgreSQL: `<app>_events`; SQLite: `stored_events`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.store.sql import (
    dialect_of,
    position_column,
    recorder_tx,
    stream_param,
    stream_value,
)


@dataclass(frozen=True)
class Row:
    """One stored event: its global position, stream, version, topic and raw state bytes."""

    position: int
    stream: str
    version: int
    topic: str
    state: bytes


def _query(recorder: Any, sql: str, params: tuple[Any, ...]) -> list[Row]:
    """Run a SELECT of (position, originator_id, originator_version, topic, state)."""
    dialect = dialect_of(recorder)
    with recorder_tx(recorder, commit=False) as tx:
        rows = tx.fetchall(sql.format(pos=position_column(dialect)), params)
    return [Row(int(pos), str(stream_value(dialect, stream)), int(version), topic, bytes(state))
            for pos, stream, version, topic, state in rows]


def _stream_param(recorder: Any, stream: UUID | str) -> Any:
    return stream_param(dialect_of(recorder), stream)


def _select(recorder: Any) -> str:
    return ("SELECT {pos} AS pos, originator_id, originator_version, topic, state "
            f"FROM {recorder.events_table_name} ")


def stream_rows(recorder: Any, stream: UUID | str, *, after_version: int = 0) -> list[Row]:
    """A stream's rows in version order, optionally only those after a known version."""
    sql = _select(recorder) + ("WHERE originator_id = ? AND originator_version > ? "
                               "ORDER BY originator_version")
    return _query(recorder, sql, (_stream_param(recorder, stream), after_version))


def count_rows(recorder: Any) -> int:
    """How many events the store holds (for progress bars)."""
    with recorder_tx(recorder, commit=False) as tx:
        row = tx.fetchone(f"SELECT count(*) FROM {recorder.events_table_name}")
    return int(row[0]) if row else 0


def all_rows(recorder: Any, *, batch: int = 5000) -> Iterator[list[Row]]:
    """Every row in (stream, version) order, in batches, by keyset over the primary key."""
    first = _select(recorder) + "ORDER BY originator_id, originator_version LIMIT ?"
    nxt = _select(recorder) + ("WHERE (originator_id, originator_version) > (?, ?) "
                               "ORDER BY originator_id, originator_version LIMIT ?")
    rows = _query(recorder, first, (batch,))
    while rows:
        yield rows
        last = rows[-1]
        rows = _query(recorder, nxt, (_stream_param(recorder, last.stream), last.version, batch))


def rows_by_position(recorder: Any, *, batch: int = 5000) -> Iterator[list[Row]]:
    """Every row in global (position) order, in batches, by keyset over the position."""
    sql = _select(recorder) + "WHERE {pos} > ? ORDER BY {pos} LIMIT ?"
    after = 0
    while rows := _query(recorder, sql, (after, batch)):
        yield rows
        after = rows[-1].position


def row_of(recorder: Any, stream: UUID | str, version: int) -> Row | None:
    """One stored event by stream and version, or None when the store no longer holds it."""
    sql = _select(recorder) + "WHERE originator_id = ? AND originator_version = ?"
    try:
        param = _stream_param(recorder, stream)
    except ValueError:
        return None  # not even a stream id: nothing of it can be stored
    rows = _query(recorder, sql, (param, version))
    return rows[0] if rows else None


def positions_between(recorder: Any, after: int, upto: int) -> set[int]:
    """The positions the store holds in (after, upto]."""
    pos = position_column(dialect_of(recorder))
    sql = f"SELECT {pos} FROM {recorder.events_table_name} WHERE {pos} > ? AND {pos} <= ?"
    with recorder_tx(recorder, commit=False) as tx:
        return {int(p) for (p,) in tx.fetchall(sql, (after, upto))}
