"""The store against its signed checkpoints: event count and running hash, in position order.

The stream chains (replay.verify) catch an event changed in place and a gap inside a stream.
What they cannot see, a checkpoint does: a stream's last event deleted, a whole stream
deleted, the tail truncated, or an event rewritten with every later hash recomputed. The first
checkpoint that no longer matches bounds the damage to the positions since the last one that
does; its `heads` then name the stream and position (docs/adr/012).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson

from ledger.domain.checkpoint import (
    ZERO_RUNNING,
    Checkpoint,
    Recorded,
    checkpoint_stream,
    extend_running,
)
from ledger.store.notifications import UnreadableEvent, envelope_from_stored, read_stored
from replay.anchor import believe
from replay.report import Break, Progress, Report
from replay.rows import Row, positions_between, row_of, rows_by_position, stream_rows

AFTER = " (after the latest checkpoint)"
GAP = "version gap: "  # how replay.verify starts a break where a stream skips versions
MISSING = "missing from the store"  # in the reason of a recorded head the store lost
MAX_GAP_SCAN = 1_000_000  # positions listed at most to name deleted ones


def stored_hash(row: Row) -> str | None:
    """The hash a stored event carries, or None when its state cannot be read."""
    try:
        found = orjson.loads(row.state)["hash"]
        bytes.fromhex(found)
        return found if isinstance(found, str) and len(found) == 64 else None
    except (ValueError, KeyError, TypeError):
        return None


def stored_checkpoints(recorder: Any, ledger_name: str, trusted: Collection[str],
                       report: Report) -> list[Checkpoint]:
    """The store's checkpoints that are believed; a forged, foreign or damaged one is a break."""
    found = []
    for row in stream_rows(recorder, checkpoint_stream(ledger_name)):
        try:
            env = envelope_from_stored(row.topic, row.stream, row.version, row.state,
                                       row.position)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # the chain check reports a row that cannot be read
        checkpoint = believe(env["data"], "store", trusted, ledger_name,
                             Recorded(row.stream, row.version, row.position, str(env["hash"])))
        if isinstance(checkpoint, str):
            report.add(Break("store", row.stream, row.version, f"checkpoint refused: "
                             f"{checkpoint}", None, row.position))
        else:
            found.append(checkpoint)
    return found


@dataclass(frozen=True)
class Promise:
    """What the checkpointer promises (docs/adr/012): a checkpoint at least every `every`
    events and `interval_s` seconds. Verify allows twice as much before it calls a missing
    one a deletion (a backlog being signed, a poll not yet run)."""

    stream: str  # the checkpoint stream, named in the break
    every: int
    interval_s: float
    now: datetime


@dataclass
class _Walk:
    """The running count and hash of the store, read in position order."""

    events: int = 0
    running: bytes = bytes.fromhex(ZERO_RUNNING)
    good: int = 0  # the position of the last checkpoint the walk matched


def check(recorder: Any, checkpoints: list[Checkpoint], report: Report, progress: Progress,
          promise: Promise) -> None:
    """Walk the store in position order; compare with each checkpoint; name the first miss;
    then hold the store to the promise of a checkpoint every N events and M seconds."""
    unique = {(c.covers, c.running_hash): c for c in checkpoints}  # a copy each place
    pending = sorted(unique.values(), key=lambda c: c.covers)
    latest = pending[-1] if pending else None
    if latest is not None:
        report.checkpoint = latest.summary()
    covered = latest.covers if latest else 0
    walk = _Walk()
    first: Row | None = None  # the first and last event no believed checkpoint covers
    last: Row | None = None
    count = 0
    progress.start("checkpoints", report.events or None)
    for batch in rows_by_position(recorder):
        progress.advance("checkpoints", len(batch))
        for row in batch:
            while pending and row.position > pending[0].covers:
                _settle(recorder, pending, walk, report)
            if row.position > covered:
                report.after_checkpoint += 1
                if row.stream != promise.stream:  # checkpoints need no checkpoint
                    count, first, last = count + 1, first or row, row
            event_hash = stored_hash(row)
            if event_hash is not None:
                walk.running = extend_running(walk.running, event_hash)
            walk.events += 1
    while pending:
        _settle(recorder, pending, walk, report)
    if latest is not None:
        _mark_after(report, covered)
    if first is not None and last is not None:
        _check_promise(latest, first, last, count, report, promise)


def _check_promise(latest: Checkpoint | None, first: Row, last: Row, count: int,
                   report: Report, promise: Promise) -> None:
    """Events no believed checkpoint covers, more or older than the checkpointer allows: its
    checkpoints (all, or the newest) were deleted, or it stopped signing."""
    limit = promise.every if latest is None else 2 * promise.every
    since = (f"after the latest believed checkpoint (position {latest.covers})" if latest
             else "with no believed checkpoint at all")
    oldest = _recorded_at(first)
    age = (promise.now - oldest).total_seconds() if oldest else 0.0
    if count > limit:
        why = f"more than {limit} (LEDGER_CHECKPOINT_EVERY_EVENTS is {promise.every})"
    elif age > 2 * promise.interval_s:
        why = (f"the oldest recorded {oldest.isoformat() if oldest else '?'}, over twice "
               f"LEDGER_CHECKPOINT_INTERVAL_S ({promise.interval_s:g} s) ago")
    else:
        return
    version = latest.recorded.version + 1 if latest and latest.recorded else 1
    report.add(Break("store", promise.stream, version, f"{count} events at positions "
                     f"{first.position} to {last.position} sit {since}: {why}; the "
                     "checkpoints that covered them were deleted, or the checkpointer stopped",
                     None, first.position))


def _recorded_at(row: Row) -> datetime | None:
    try:
        env = read_stored(row.topic, row.stream, row.version, row.state, row.position)
        return datetime.fromisoformat(str(env["recorded_at"]))
    except (UnreadableEvent, ValueError):
        return None  # the chain check reports a row that cannot be read


def _settle(recorder: Any, pending: list[Checkpoint], walk: _Walk,
            report: Report) -> None:
    """Check the walk so far against the next checkpoint; on a miss, report it and stop (past
    the first miss every later checkpoint misses too)."""
    checkpoint = pending.pop(0)
    report.checkpoints_checked += 1
    if (walk.events, walk.running.hex()) == (checkpoint.events, checkpoint.running_hash):
        walk.good = checkpoint.covers
        return
    pending.clear()
    since = walk.good
    for brk in _heads_missing(recorder, checkpoint, since):
        report.add(brk)
    _deleted_positions(recorder, since, checkpoint, walk, report)
    if not [b for b in report.breaks if b.position and since < b.position
            <= checkpoint.covers]:
        report.add(Break("store", "*", 0, f"the store's {walk.events} events up to position "
                         f"{checkpoint.covers} do not match the checkpoint's {checkpoint.events}"
                         f" (running hash differs): an event between positions {since + 1} and "
                         f"{checkpoint.covers} was deleted or rewritten", None, since + 1))


def _heads_missing(recorder: Any, checkpoint: Checkpoint, since: int) -> list[Break]:
    """The checkpoint's recorded stream heads that the store lost or holds differently."""
    found = []
    where = f"the checkpoint of position {checkpoint.covers}"
    for position, stream, version, head_hash in checkpoint.heads:
        row = row_of(recorder, stream, version)
        if row is None and row_of(recorder, stream, 1) is None:
            reason = (f"the whole stream is {MISSING}; {where} recorded its "
                      f"version {version} at position {position}")
        elif row is None:
            reason = (f"version {version} is {MISSING}; {where} recorded it at "
                      f"position {position}")
        elif row.position != position or stored_hash(row) != head_hash:
            reason = (f"version {version} differs from what {where} recorded: the stream "
                      "was rewritten and rehashed (or moved) at this version or an earlier "
                      f"one after position {since}")
        else:
            continue
        found.append(Break("store", stream, version, reason, None, position))
    return found


def _deleted_positions(recorder: Any, since: int, checkpoint: Checkpoint, walk: _Walk,
                       report: Report) -> None:
    """Name each deleted position, when the store lacks exactly as many positions in the
    range as events are missing: the range then had no gap of its own (a rolled-back
    transaction leaves one on PostgreSQL), so every absent position is a deleted event."""
    deficit = checkpoint.events - walk.events
    if deficit <= 0 or checkpoint.covers - since > MAX_GAP_SCAN:
        return
    held = positions_between(recorder, since, checkpoint.covers)
    absent = [p for p in range(since + 1, checkpoint.covers + 1) if p not in held]
    if len(absent) != deficit:
        return
    named = {b.position for b in report.breaks}
    for position in absent:
        if position in named:
            continue
        stream, version = _owner(recorder, position, absent, report) or ("*", 0)
        report.add(Break("store", stream, version, f"the event at position {position} was "
                         f"deleted: the checkpoint of position {checkpoint.covers} counts "
                         f"{checkpoint.events} events up to there, the store holds "
                         f"{walk.events}", None, position))


def _owner(recorder: Any, position: int, absent: list[int], report: Report
           ) -> tuple[str, int] | None:
    """The stream and version a deleted position held, where a break pins it down: a stream's
    missing versions lie between the positions of its neighbours (or after the last checkpoint
    that still matched), and they are as many as the absent positions there."""
    for brk in report.breaks:
        if brk.stream == "*" or not brk.position or brk.position < position:
            continue
        if brk.reason.startswith(GAP):  # versions missing before this one
            top, upto = brk.version - 1, brk.position - 1
        elif MISSING in brk.reason:  # versions missing up to this recorded head
            top, upto = brk.version, brk.position
        else:
            continue
        before = [r for r in stream_rows(recorder, brk.stream) if r.version < brk.version]
        low, first = (before[-1].position, before[-1].version + 1) if before else (0, 1)
        inside = [p for p in absent if low < p <= upto]
        if position in inside and len(inside) == top - first + 1:
            return brk.stream, first + inside.index(position)
    return None


def _mark_after(report: Report, position: int) -> None:
    """Breaks past the latest checkpoint rest on chain continuity alone: say so."""
    report.breaks = [replace(b, reason=b.reason + AFTER) if b.position and b.position >
                     position and not b.reason.endswith(AFTER) else b for b in report.breaks]
