"""Applying a feed from offset 0 to its head in a lane: a rebuild's (or a share's) main loop."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from typing import Any

from projections.apply import apply_records, next_offsets
from projections.feed import Feed, Record, lag
from projections.storage import ViewStore
from projections.view import View

Progress = Callable[[int, int, int], None]  # (events applied, records read, records at head)
READ_AHEAD_MIN = 20_000  # records behind the head that make reading ahead worth it


def catch_up(store: ViewStore, conn: Any, feed: Feed, lane: int, targets: Sequence[View],
             names: Mapping[str, str], batch: int, progress: Progress | None, *,
             end: Mapping[int, int] | None = None) -> tuple[dict[int, int], int]:
    """Apply the feed from offset 0 to its head, batch by batch in the lane (each batch its
    own transaction, except in a rebuild's stage, which commits once: projections.stage).

    With `end`, up to that head and no further (each share of a split rebuild stops at the
    same one, projections.shards). A feed that reads a range ahead (`Feed.bulk`: the store's
    log, by a thread) reads the bulk of it that way; the tail, and any other feed, by polls."""
    fixed = end is not None
    offsets = {p: 0 for p in feed.partitions()}
    head = {p: end.get(p, 0) for p in offsets} if end is not None else feed.end_offsets()
    events = 0
    idle = 0

    def step(records: Sequence[Record]) -> None:
        """One batch in its own transaction; offsets move past it."""
        nonlocal events, offsets
        with store.transaction(conn, names, pipeline=True) as tx:
            events += apply_records(tx, lane, targets, records)
        offsets = next_offsets(offsets, records)
        if progress:
            progress(events, sum(offsets.values()), sum(head.values()))

    ahead = feed.bulk(offsets, head, batch) if lag(head, offsets) >= READ_AHEAD_MIN else None
    if ahead is not None:
        with closing(ahead) as chunks:
            for records in chunks:
                step(records)
    while True:
        pending = {p: o for p, o in offsets.items() if o < head.get(p, 0)}
        if not pending:
            if fixed:
                return offsets, events
            head = feed.end_offsets()  # new events may have arrived meanwhile
            if all(o >= head.get(p, 0) for p, o in offsets.items()):
                return offsets, events
            continue
        records = feed.poll(pending, batch, 1.0)
        if fixed:
            records = [r for r in records if r.offset < head[r.partition]]
        if not records:
            idle += 1
            if idle >= 3:  # the head counts offsets that carry no record (gaps)
                return offsets, events
            continue
        idle = 0
        step(records)
