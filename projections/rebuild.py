"""Rebuild views into a fresh generation while the serving one keeps answering, then swap.

The rebuild reads the feed from its start in its own lane (offsets and per-stream versions
keyed by the new generation). Once it reaches the head it takes the writers' lock, brings
its lane and the live lane to the same offsets, points the views at the new generation and
drops its lane, all in one transaction. The old tables are dropped after a short grace so
that reads already under way can finish.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from projections import bare_tables, catalog, compiled
from projections.apply import apply_records, next_offsets
from projections.feed import Feed, lag, records_upto
from projections.staging import staged_catch_up
from projections.storage import POSTGRES, Tx, ViewStore
from projections.view import View

log = logging.getLogger(__name__)
Progress = Callable[[int, int, int], None]  # (events applied, records read, records at head)
GRACE_SECONDS = 2.0
PREFETCH_MIN = 20_000  # records behind the head that make reading ahead worth it


@dataclass(frozen=True)
class Report:
    views: list[str]
    generation: int
    events: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def rebuild(store: ViewStore, conn: Any, feed: Feed, views: Sequence[View],
            targets: Sequence[View], *, batch: int = 5000, progress: Progress | None = None,
            grace: float = GRACE_SECONDS) -> Report:
    """Build `targets` from the start of the feed into a new generation and swap them in."""
    if compiled.status:
        log.warning("the views run as Python in this rebuild: %s (`make compiled` builds "
                    "them)", compiled.status)
    store.ensure_catalog()
    started = time.monotonic()
    staged = store.dialect == POSTGRES
    with store.transaction(conn) as tx:
        generation = catalog.next_generation(tx)
        for view in targets:
            if staged:  # keys and indexes once the rows are in (projections.staging)
                bare_tables.create(tx, store, view, generation)
            else:
                catalog.create_tables(tx, store, view, generation)
    names = catalog.names_for(store, targets, generation)
    phases: dict[str, float] = {}
    try:
        if staged:
            offsets, events = staged_catch_up(store, feed, generation, targets, batch,
                                              progress, phases)
        else:
            offsets, events = catch_up(store, conn, feed, generation, targets, names, batch,
                                       progress)
            phases["apply"] = time.monotonic() - started
        swapping = time.monotonic()
        old, more = swap(store, conn, feed, views, targets, generation, offsets, batch)
        store.forget_names()
        phases["swap"] = time.monotonic() - swapping
    except BaseException:
        with store.transaction(conn) as tx:
            catalog.drop_lane(tx, generation)
            catalog.drop_tables(tx, store, names, generation)
        raise
    seconds = time.monotonic() - started
    time.sleep(grace)
    with store.transaction(conn) as tx:
        for gen, tables in old:
            catalog.drop_tables(tx, store, tables, gen)
    log.info("rebuilt %s: %d events in %.1f s (%s)", ", ".join(v.name for v in targets),
             events + more, seconds, ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    return Report([v.name for v in targets], generation, events + more, seconds, phases)


def catch_up(store: ViewStore, conn: Any, feed: Feed, lane: int, targets: Sequence[View],
             names: Mapping[str, str], batch: int, progress: Progress | None, *,
             end: Mapping[int, int] | None = None) -> tuple[dict[int, int], int]:
    """Apply the feed from offset 0 to its head, batch by batch in the lane (each batch its
    own transaction, except in a rebuild's stage, which commits once: projections.staging).

    With `end`, up to that head and no further (each share of a split rebuild stops at the
    same one, projections.shards); Kafka is then read in this process, whose share is all
    one core can take."""
    fixed = end is not None
    offsets = {p: 0 for p in feed.partitions()}
    end = {p: end.get(p, 0) for p in offsets} if end is not None else feed.end_offsets()
    events = 0
    idle = 0
    bulk = getattr(feed, "bulk", None) if not fixed or feed.kind != "kafka" else None
    if bulk is not None and lag(end, offsets) >= PREFETCH_MIN:
        # The bulk of the range is read ahead (Kafka: by another process, which takes a moment
        # to start, so this one applies the first records itself meanwhile); the tail below.
        share = getattr(feed, "head_start", 0) // max(1, len(offsets))
        ahead = {p: min(end.get(p, 0), o + share) for p, o in offsets.items()}
        with closing(bulk(ahead, end, batch)) as chunks:
            for records in chain(records_upto(feed, offsets, ahead, batch), chunks):
                with store.transaction(conn, names, pipeline=True) as tx:
                    events += apply_records(tx, lane, targets, records)
                offsets = next_offsets(offsets, records)
                if progress:
                    progress(events, sum(offsets.values()), sum(end.values()))
    while True:
        pending = {p: o for p, o in offsets.items() if o < end.get(p, 0)}
        if not pending:
            if fixed:
                return offsets, events
            end = feed.end_offsets()  # new events may have arrived meanwhile
            if all(o >= end.get(p, 0) for p, o in offsets.items()):
                return offsets, events
            continue
        records = feed.poll(pending, batch, 1.0)
        if fixed:
            records = [r for r in records if r.offset < end[r.partition]]
        if not records:
            idle += 1
            if idle >= 3:  # the head counts offsets that carry no record (gaps)
                return offsets, events
            continue
        idle = 0
        with store.transaction(conn, names, pipeline=True) as tx:
            events += apply_records(tx, lane, targets, records)
        offsets = next_offsets(offsets, records)
        if progress:
            progress(events, sum(offsets.values()), sum(end.values()))


def swap(store: ViewStore, conn: Any, feed: Feed, views: Sequence[View],
         targets: Sequence[View], generation: int, offsets: dict[int, int], batch: int,
         ) -> tuple[list[tuple[int, list[str]]], int]:
    """Align the two lanes under the writers' lock and point the targets at the new tables."""
    target_names = {v.name for v in targets}
    with store.transaction(conn) as tx:
        served = catalog.generations(tx)
        live = catalog.offsets(tx, catalog.LIVE)
        others = [v for v in views if v.name not in target_names and v.name in served]
        tx.names.update(catalog.current_names(store, tx))
        tx.names.update(catalog.names_for(store, targets, generation))
        # The rebuild lane catches up with the live runner where it is behind ...
        more = advance(tx, feed, generation, targets, offsets,
                       {p: max(o, live.get(p, 0)) for p, o in offsets.items()}, batch)
        ahead = {p: o for p, o in offsets.items() if o > live.get(p, 0)}
        if ahead and not others:
            catalog.adopt_lane(tx, generation)  # every view rebuilt: its lane becomes live
        else:
            # ... and the live lane catches up with the rebuild where the rebuild ran ahead.
            advance(tx, feed, catalog.LIVE, others, live, ahead, batch)
            catalog.drop_lane(tx, generation)
        old = [(served[v.name][0], served[v.name][2]) for v in targets if v.name in served]
        for view in targets:
            catalog.point(tx, view, generation)
    return old, more


def advance(tx: Tx, feed: Feed, lane: int, views: Sequence[View], start: Mapping[int, int],
            target: Mapping[int, int], batch: int) -> int:
    """Apply a lane's records from `start` up to (not including) `target`, inside `tx`."""
    offsets = {p: start.get(p, 0) for p in target}
    events = 0
    for records in records_upto(feed, start, target, batch):
        events += apply_records(tx, lane, views, records)
        offsets = next_offsets(offsets, records)
    if target:
        catalog.save_offsets(tx, lane, {p: (max(o, target[p]), 0) for p, o in offsets.items()})
    return events


def rebuild_named(store: ViewStore, feed_factory: Callable[[], Feed], views: Sequence[View],
                  which: str, *, progress: Progress | None = None,
                  grace: float = GRACE_SECONDS) -> Report:
    """Rebuild one view by name, or every view for "all", on a connection and feed of its own."""
    targets = list(views) if which == "all" else [v for v in views if v.name == which]
    if not targets:
        known = ", ".join(v.name for v in views)
        raise KeyError(f"unknown view {which!r}; expected one of: all, {known}")
    feed = feed_factory()
    conn = store.connect()
    try:
        return rebuild(store, conn, feed, views, targets, progress=progress, grace=grace)
    finally:
        conn.close()
        feed.close()
