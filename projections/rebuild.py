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
from dataclasses import dataclass, field
from typing import Any

from projections import catalog, compiled
from projections.apply import apply_records, next_offsets
from projections.catch_up import Progress, catch_up
from projections.feed import Feed, records_upto
from projections.staging import staged_catch_up
from projections.storage import POSTGRES, Tx, ViewStore
from projections.view import View

log = logging.getLogger(__name__)
GRACE_SECONDS = 2.0


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
            if staged:  # keys and indexes once the rows are in (projections.stage_load)
                catalog.create_tables(tx, store, view, generation, indexes=(), keys=False)
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
