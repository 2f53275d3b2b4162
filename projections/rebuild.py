"""Rebuild views into a fresh generation and its own lane while the serving one answers.

Into PostgreSQL a long feed is split by stream into shares, one per core: this process
applies the first, worker processes the others (projections.stage). At the head, one
transaction under the writers' lock aligns the rebuild's lane with the live one and points
the views at the new generation; the old tables go after a grace (docs/adr/005, 017).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from projections import catalog
from projections.apply import apply_records, next_offsets
from projections.feed import Feed, lag, records_upto
from projections.stage import Job, Offsets, build, open_share, run_share
from projections.storage import ViewStore
from projections.tx import POSTGRES, Tx
from projections.view import View
from projections.views import load_views

log = logging.getLogger(__name__)
Progress = Callable[[int, int, int], None]  # (events applied, records read, records at head)
GRACE_SECONDS = 2.0
# Processes: one per core this process may use (a rebuild is CPU per event), up to a few.
SHARES = max(1, min(8, len(os.sched_getaffinity(0))))
SHARD_MIN = 20_000  # records that make starting worker processes (~0.5 s each) worth it


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
    store.ensure_catalog()
    started = time.monotonic()
    bulk = store.dialect == POSTGRES  # indexes once the rows are in, not row by row
    with store.transaction(conn) as tx:
        generation = catalog.next_generation(tx)
        for view in targets:
            catalog.create_tables(tx, store, view, generation, indexes=not bulk)
    names = catalog.names_for(store, targets, generation)
    phases: dict[str, float] = {}
    try:
        job = Job(store.url, store.prefix, generation, tuple(v.name for v in targets), batch)
        reached, events = fill(job, feed, targets, progress)
        phases["apply"] = time.monotonic() - started
        if bulk:
            indexing = time.monotonic()
            with ThreadPoolExecutor(2) as pool:  # PostgreSQL builds each on a core
                list(pool.map(lambda view: index(store, view, generation), targets))
            phases["index"] = time.monotonic() - indexing
        swapping = time.monotonic()
        with store.transaction(conn) as tx:
            catalog.save_offsets(tx, generation, reached)
        offsets = {p: o for p, (o, _) in reached.items()}
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


def fill(job: Job, feed: Feed, targets: Sequence[View],
         progress: Progress | None) -> tuple[Offsets, int]:
    """Apply the feed up to its head into the lane, split into shares when worth it."""
    end = feed.end_offsets()
    total = lag(end, {})
    registered = {id(v) for v in load_views()}  # a worker loads its views by name
    split = (job.url.startswith("postgresql") and total >= SHARD_MIN
             and all(id(v) in registered for v in targets))
    specs = feed.shares(SHARES) if split else []
    if len(specs) <= 1:
        return combine([build(job, feed, targets, end, scaled(progress, [], 1, total))])
    ends = [{p: end[p] for p in s["partitions"]} if s["kind"] == "kafka" else end
            for s in specs]
    # Spawned, not forked: this process may hold connections and threads (a server's).
    pool = ProcessPoolExecutor(len(specs) - 1, mp_context=multiprocessing.get_context("spawn"))
    try:
        others = [pool.submit(run_share, job, s, e) for s, e in zip(specs[1:], ends[1:],
                                                                    strict=True)]
        here = open_share(specs[0])
        try:
            done = [build(job, here, targets, ends[0],
                          scaled(progress, others, len(specs), total))]
        finally:
            here.close()
        return combine(done + [f.result() for f in others])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a failed rebuild waits for its shares


def scaled(progress: Progress | None, others: Sequence[Future[Any]], count: int,
           total: int) -> Callable[[int, int], None]:
    """After each batch of this process's share: fail if another share failed; report the
    rebuild's progress as this share shows it (shares are about equal)."""
    def report(events: int, read: int) -> None:
        for other in others:
            if other.done() and other.exception() is not None:
                raise RuntimeError("a rebuild share failed") from other.exception()
        if progress is not None:
            progress(events * count, min(total, read * count), total)

    return report


def combine(done: Sequence[tuple[Offsets, int]]) -> tuple[Offsets, int]:
    """The shares' offsets (per partition the lowest reached: the swap's catch-up, deduped,
    applies the rest) and events."""
    reached: Offsets = {}
    for share, _ in done:
        for p, (o, top) in share.items():
            was = reached.get(p, (o, top))
            reached[p] = (min(o, was[0]), max(top, was[1]))
    return reached, sum(events for _, events in done)


def index(store: ViewStore, view: View, generation: int) -> None:
    """A view's indexes over its loaded rows, on a connection of its own."""
    conn = store.connect()
    try:
        with store.transaction(conn, lock=False) as tx:
            tx.execute("SET LOCAL maintenance_work_mem = '256MB'")  # sorts in memory
            catalog.create_indexes(tx, store, view, generation)
    finally:
        conn.close()


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
