"""The store against its signed checkpoints: event count and running hash, in position order.

The stream chains (replay.verify) catch an event changed in place and a gap inside a stream.
What they cannot see, a checkpoint does: a stream's last event deleted, a whole stream
deleted, the tail truncated, or an event rewritten with every later hash recomputed. The first
checkpoint that no longer matches bounds the damage to the positions since the last one that
does; its `heads` then name the stream and position (docs/adr/012).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson

from ledger.domain.checkpoint import ZERO_RUNNING, checkpoint_stream, extend_running
from ledger.store.notifications import envelope_from_stored
from replay.anchor import SignedCheckpoint, believe
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


def stored_checkpoints(recorder: Any, ledger_name: str, trusted_key: str | None,
                       report: Report) -> list[SignedCheckpoint]:
    """The store's checkpoints whose signature holds; a forged or damaged one is a break."""
    found = []
    for row in stream_rows(recorder, checkpoint_stream(ledger_name)):
        try:
            data = envelope_from_stored(row.topic, row.stream, row.version, row.state,
                                        row.position)["data"]
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # the chain check reports a row that cannot be read
        checkpoint = believe(data, "store", trusted_key, row.position)
        if isinstance(checkpoint, str):
            report.add(Break("store", row.stream, row.version, f"checkpoint refused: "
                             f"{checkpoint}", None, row.position))
        else:
            found.append(checkpoint)
    return found


@dataclass
class _Walk:
    """The running count and hash of the store, read in position order."""

    events: int = 0
    running: bytes = bytes.fromhex(ZERO_RUNNING)
    good: int = 0  # the position of the last checkpoint the walk matched


def check(recorder: Any, checkpoints: list[SignedCheckpoint], report: Report,
          progress: Progress) -> None:
    """Walk the store in position order; compare with each checkpoint; name the first miss."""
    unique = {(c.position, c.running_hash): c for c in checkpoints}  # a copy each place
    pending = sorted(unique.values(), key=lambda c: c.position)
    if not pending:
        return
    latest = pending[-1]
    report.checkpoint = latest.summary()
    walk = _Walk()
    progress.start("checkpoints", report.events or None)
    for batch in rows_by_position(recorder):
        progress.advance("checkpoints", len(batch))
        for row in batch:
            while pending and row.position > pending[0].position:
                _settle(recorder, pending, walk, report)
            if row.position > latest.position:
                report.after_checkpoint += 1
            event_hash = stored_hash(row)
            if event_hash is not None:
                walk.running = extend_running(walk.running, event_hash)
            walk.events += 1
    while pending:
        _settle(recorder, pending, walk, report)
    _mark_after(report, latest.position)


def _settle(recorder: Any, pending: list[SignedCheckpoint], walk: _Walk,
            report: Report) -> None:
    """Check the walk so far against the next checkpoint; on a miss, report it and stop (past
    the first miss every later checkpoint misses too)."""
    checkpoint = pending.pop(0)
    report.checkpoints_checked += 1
    if (walk.events, walk.running.hex()) == (checkpoint.events, checkpoint.running_hash):
        walk.good = checkpoint.position
        return
    pending.clear()
    since = walk.good
    for brk in _heads_missing(recorder, checkpoint, since):
        report.add(brk)
    _deleted_positions(recorder, since, checkpoint, walk, report)
    if not [b for b in report.breaks if b.position and since < b.position
            <= checkpoint.position]:
        report.add(Break("store", "*", 0, f"the store's {walk.events} events up to position "
                         f"{checkpoint.position} do not match the checkpoint's {checkpoint.events}"
                         f" (running hash differs): an event between positions {since + 1} and "
                         f"{checkpoint.position} was deleted or rewritten", None, since + 1))


def _heads_missing(recorder: Any, checkpoint: SignedCheckpoint, since: int) -> list[Break]:
    """The checkpoint's recorded stream heads that the store lost or holds differently."""
    found = []
    where = f"the checkpoint of position {checkpoint.position}"
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


def _deleted_positions(recorder: Any, since: int, checkpoint: SignedCheckpoint, walk: _Walk,
                       report: Report) -> None:
    """Name each deleted position, when the store lacks exactly as many positions in the
    range as events are missing: the range then had no gap of its own (a rolled-back
    transaction leaves one on PostgreSQL), so every absent position is a deleted event."""
    deficit = checkpoint.events - walk.events
    if deficit <= 0 or checkpoint.position - since > MAX_GAP_SCAN:
        return
    held = positions_between(recorder, since, checkpoint.position)
    absent = [p for p in range(since + 1, checkpoint.position + 1) if p not in held]
    if len(absent) != deficit:
        return
    named = {b.position for b in report.breaks}
    for position in absent:
        if position in named:
            continue
        stream, version = _owner(recorder, position, absent, report) or ("*", 0)
        report.add(Break("store", stream, version, f"the event at position {position} was "
                         f"deleted: the checkpoint of position {checkpoint.position} counts "
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
