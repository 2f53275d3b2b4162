"""Applying a batch of records to views: each (stream, version) at most once per lane."""

from __future__ import annotations

from collections.abc import Sequence

from projections import catalog
from projections.feed import Record
from projections.storage import Tx
from projections.view import View


def apply_records(tx: Tx, lane: int, views: Sequence[View], records: Sequence[Record]) -> int:
    """Apply new events to every view and record the lane's offsets and versions; count them.

    Call inside one transaction: the view rows, the offsets and the versions commit together,
    so a crash at any point either keeps all three or none.
    """
    envelopes = [r.envelope for r in records if "stream" in r.envelope]
    known = catalog.versions(tx, lane, (e["stream"] for e in envelopes))
    moved_versions: dict[str, int] = {}
    fresh = []
    for env in envelopes:
        stream, version = env["stream"], int(env["version"])
        if version <= known.get(stream, 0):
            continue  # a duplicate (at-least-once delivery) or a replay of what we have
        fresh.append(env)
        known[stream] = moved_versions[stream] = version
    for view in views:
        view.apply_many(tx, fresh)  # event by event unless the view batches
    catalog.save_versions(tx, lane, moved_versions)
    catalog.save_offsets(tx, lane, advanced(records))
    return len(fresh)


def advanced(records: Sequence[Record]) -> dict[int, tuple[int, int]]:
    """Per partition: the next offset after these records and the highest position seen."""
    last: dict[int, int] = {}
    top: dict[int, int] = {}
    for r in records:
        p = r.partition
        if r.offset >= last.get(p, -1):
            last[p] = r.offset
        position = r.envelope.get("position") or 0
        if position > top.get(p, 0):
            top[p] = position
    return {p: (o + 1, int(top.get(p, 0))) for p, o in last.items()}


def next_offsets(current: dict[int, int], records: Sequence[Record]) -> dict[int, int]:
    """The offsets to read from after these records (never behind `current`)."""
    out = dict(current)
    for r in records:
        if r.offset >= out.get(r.partition, 0):
            out[r.partition] = r.offset + 1
    return out
