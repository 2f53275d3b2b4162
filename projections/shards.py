"""A staged rebuild split over processes by stream: each applies every view to its share.

A rebuild is Python CPU per event, and one process uses one core. Splitting by view (one
process reading and decoding, another applying some views) paid for handing every event
across a pipe; splitting the feed itself does not. Each share is read by its own process,
which decodes, deduplicates and applies every view to its own SQLite stage:

- Kafka: a share is a set of partitions (the relay keys records by subject, so all events
  about a subject are in one share);
- the store's log: every process reads the log on a connection of its own and keeps the
  events of the streams in its share (a hash of the stream id, before decoding anything).

Most view rows belong to one stream's facts and so to one share. Rows that events of many
streams add to (counters, earliest dates) each view names in `merges`, with the upsert that
adds one row: the other stages' rows go through it into the first stage (`merge`). A stream
found in two shares fails the rebuild. Every share reads up to the same head; a partition
read by several (the store's one) keeps the lowest offset any of them reached (`combine`).

The first share runs in the rebuild process; the others in a `ProcessPoolExecutor` of the
`spawn` context (`Shares`): a fresh interpreter each, so a server's threads and connections
are not forked into it, given its `ShareSpec` (which may hold the database password) as the
call's argument. A share that fails fails the rebuild at the rebuild process's next batch
(`Shares.check`), which then drops its new tables as for any failure and stops the other
shares at their next batch (`Shares.close`). A share process whose rebuild process is gone
ends at once (`watch_parent`), whether applying or waiting in the pool.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

from projections import catalog
from projections.catch_up import Progress, catch_up
from projections.feed import Feed
from projections.stage import create_stage, fewer_collections, open_stage, write_held
from projections.storage import ViewStore
from projections.view import View
from projections.views import load_views

# Processes: one per core this process may use (a rebuild is CPU per event), up to a few.
SHARES = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1))
SHARD_MIN = 20_000  # records to rebuild that make starting a process (~0.5 s) worth it
VALUES = re.compile(r"VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)")


def share_count(feed: Feed, targets: Sequence[View], records: int) -> int:
    """Shares to split a rebuild of `records` records into (1: do not split).

    Only a feed that splits (`Feed.shares`), only registered views (another process loads
    them by name), and only views that declare what their shares merge (`View.merges`, even
    if empty)."""
    registered = {id(v) for v in load_views()}
    if records < SHARD_MIN:
        return 1
    if not all(id(v) in registered and v.merges() is not None for v in targets):
        return 1
    return max(1, min(SHARES, feed.shares()))


def merges_of(view: View) -> dict[str, str]:
    """A view's merged tables and the upsert adding a row to each (see the module doc)."""
    return view.merges() or {}


def open_share(spec: Mapping[str, Any]) -> Feed:
    """The feed of one share, from a feed's `share_spec` (the other feed's modules are not
    imported: a share of the store's log needs no Kafka client)."""
    if spec["kind"] == "kafka":
        from projections.kafka_feed import KafkaFeed

        return KafkaFeed(spec["bootstrap"], spec["topic"], partitions=spec["partitions"],
                         batches=True)
    from ledger.relay.reading import NotificationReader
    from projections.store_feed import StoreFeed

    index, count = spec["share"]
    return StoreFeed(None, reader=NotificationReader.connect(spec["reader"]),
                     share=(index, count))


def share_end(spec: Mapping[str, Any], end: Mapping[int, int]) -> dict[int, int]:
    """The head of a share: its partitions' part of the feed's head."""
    if spec["kind"] == "kafka":
        return {p: end[p] for p in spec["partitions"]}
    return dict(end)


def merge(stage: ViewStore, conn: Any, others: Sequence[str], targets: Sequence[View],
          lane: int) -> None:
    """Bring the other stages' merged rows and the lane's bookkeeping into `stage`, in SQLite.

    Rows of the tables a view `merges` go through its upsert; the other tables' rows stay
    in their stage files and are loaded from there. A stream must be in one share only: a
    stream found in two (a Kafka topic whose partitions were added after its subjects'
    first events moves them) fails the rebuild rather than count its events twice.
    """
    names = catalog.names_for(stage, targets, lane) | stage.catalog_names()
    streams, offsets = names["proj_streams"], names["proj_offsets"]
    for n, path in enumerate(others):
        alias = f"share{n}"
        conn.execute(f"ATTACH DATABASE ? AS {alias}", (path,))
        try:
            with stage.transaction(conn, names) as tx:
                both = tx.fetchone(f"SELECT count(*) FROM {streams} a JOIN {alias}.{streams} b "
                                   "ON a.stream = b.stream AND a.generation = b.generation")
                if both and both[0]:
                    raise RuntimeError(f"{both[0]} stream(s) were read by two rebuild shares "
                                       "(has the topic's partition count changed?)")
                for view in targets:
                    for table, upsert in merges_of(view).items():
                        tx.execute(from_stage(upsert.format_map(names), f"{alias}.{names[table]}"))
                tx.execute(f"INSERT INTO {streams} SELECT * FROM {alias}.{streams}")
                # A partition read by several shares (the store's) is as far as all got.
                tx.execute(f"INSERT INTO {offsets} SELECT * FROM {alias}.{offsets} WHERE true "
                           "ON CONFLICT (generation, part) DO UPDATE SET next_offset = "
                           f"min({offsets}.next_offset, excluded.next_offset), "
                           f"position = max({offsets}.position, excluded.position)")
        finally:
            conn.execute(f"DETACH DATABASE {alias}")


def from_stage(upsert: str, source: str) -> str:
    """`INSERT ... VALUES (?, ..., ?) ON CONFLICT ...` as `INSERT ... SELECT * FROM source
    WHERE true ON CONFLICT ...` (SQLite needs the WHERE to read ON CONFLICT as the upsert)."""
    statement, count = VALUES.subn(f"SELECT * FROM {source} WHERE true", upsert, count=1)
    if count != 1:
        raise ValueError(f"a merge upsert must insert VALUES (?, ...): {upsert!r}")
    return statement


def combine(done: Sequence[tuple[dict[int, int], int]]) -> tuple[dict[int, int], int]:
    """The offsets and events of all shares: a partition's offset is the lowest any share
    that read it reached (the store's one partition is read by all), so whatever a share did
    not reach is applied again by the swap's catch-up, whose dedupe skips what was applied."""
    offsets: dict[int, int] = {}
    for share, _ in done:
        for p, o in share.items():
            offsets[p] = min(o, offsets.get(p, o))
    return offsets, sum(events for _, events in done)


@dataclass(frozen=True)
class ShareSpec:
    """What a share's process needs: its feed (a feed's `share_spec`), the head it reads up
    to, its stage file, the view store's prefix, the lane, the batch size and the views."""

    feed: dict[str, Any]
    end: dict[int, int] | None  # None: the feed's head as it is when reached
    path: str
    prefix: str
    lane: int
    batch: int
    views: tuple[str, ...]


def apply_share(spec: ShareSpec, progress: Progress | None = None, *, feed: Feed | None = None,
                views: Sequence[View] | None = None) -> tuple[dict[int, int], int]:
    """Apply every view to one share, up to its head, in its stage file; (next offsets,
    events applied). The rebuild process passes its own `feed` when it does not split it,
    and its `views` (which may be unregistered ones, then)."""
    views = list(views) if views is not None else load_views(list(spec.views))
    stage, conn = open_stage(spec.path, spec.prefix)
    share = feed if feed is not None else open_share(spec.feed)
    try:
        names = create_stage(stage, conn, views, spec.lane)
        with fewer_collections():
            done = catch_up(stage, conn, share, spec.lane, views, names, spec.batch, progress,
                            end=spec.end)
        write_held(stage, conn, names)
    finally:
        if stage.spool is not None:
            stage.spool.close()
        conn.close()
        if share is not feed:
            share.close()
    return done


class Shares:
    """The shares after the first, each applied by a process of a spawned pool."""

    def __init__(self, specs: Sequence[ShareSpec]) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.pool = ProcessPoolExecutor(len(specs), mp_context=context,
                                        initializer=watch_parent, initargs=(self.stop,))
        self.futures: list[Future[tuple[dict[int, int], int]]] = [
            self.pool.submit(serve, spec) for spec in specs]

    def check(self) -> None:
        """Raise if a share has already failed (the rebuild need not finish its own first)."""
        for future in self.futures:
            failed = future.exception() if future.done() else None
            if failed is not None:
                raise RuntimeError(f"a rebuild share process failed: {failed}")

    def finish(self) -> list[tuple[dict[int, int], int]]:
        """Each share's (next offsets, events applied) once its stage is complete."""
        try:
            return [future.result() for future in self.futures]
        except Exception as e:
            raise RuntimeError(f"a rebuild share process failed: {e}") from e

    def close(self) -> None:
        """Stop the shares still applying (a failed rebuild) and wait for their processes."""
        self.stop.set()
        self.pool.shutdown(wait=True, cancel_futures=True)


stopping: Event | None = None  # in a share's process: the rebuild's "stop" (Shares.close)


def watch_parent(stop: Event) -> None:
    """A share process's start: keep the rebuild's stop signal, and end this process as
    soon as the rebuild process is gone (killed outright, say), whether it is applying a
    share for nobody or idle in the pool, whose queue would never tell it."""
    global stopping
    stopping = stop
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=orphaned, args=(parent,), name="share-watch",
                         daemon=True).start()


def orphaned(parent: Any) -> None:
    parent.join()  # returns when the parent process is gone
    os._exit(1)


def serve(spec: ShareSpec) -> tuple[dict[int, int], int]:
    """In a share's process: apply the share, stopping at the next batch if asked to."""
    def stopped(events: int, read: int, head: int) -> None:
        if stopping is not None and stopping.is_set():
            raise RuntimeError("the rebuild stopped this share")

    return apply_share(spec, stopped)
