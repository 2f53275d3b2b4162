"""One share of a rebuild: every view applied to a part of the feed, then bulk-loaded.

The views apply batches as the live runner does (projections.apply), in the rebuild's lane:
in place into SQLite; into PostgreSQL, where a statement is a round trip, into a private
SQLite stage (same SQL) that is then COPYed in. Rows of one stream each go straight in (the
shares' streams are disjoint); rows of tables a view `merges` go through its upsert, one
share at a time; the lane's versions too (a stream in two shares fails the key).
`run_share` is what a worker process runs (projections.rebuild).
"""

from __future__ import annotations

import gc
import multiprocessing
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.relay.reading import NotificationReader
from projections import catalog
from projections.apply import apply_records, next_offsets
from projections.feed import Feed
from projections.kafka_feed import KafkaFeed
from projections.storage import ViewStore
from projections.store_feed import StoreFeed
from projections.tx import SQLITE
from projections.view import View
from projections.views import load_views

# The stage's own page cache; beyond it the OS page cache serves the file. Fixed, so memory
# does not grow with the number of events; big enough to keep a million events' indexes hot.
STAGE_CACHE_KIB = 128 * 1024
COPY_ROWS = 20_000  # rows per COPY write
VALUES = re.compile(r"VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)")
Offsets = dict[int, tuple[int, int]]  # partition -> (next offset, highest position)
Progress = Callable[[int, int], None]  # (events applied, records read) so far, this share


@dataclass(frozen=True)
class Job:
    """What every share of one rebuild shares (it crosses to worker processes: plain data)."""

    url: str
    prefix: str
    lane: int
    views: tuple[str, ...]
    batch: int


def open_share(spec: Mapping[str, Any]) -> Feed:
    """The feed of one share, from a feed's `shares` (a fresh connection of its own)."""
    if spec["kind"] == "kafka":
        return KafkaFeed(spec["bootstrap"], spec["topic"], partitions=spec["partitions"])
    index, count = spec["share"]
    return StoreFeed(None, reader=NotificationReader.connect(spec["reader"]),
                     share=(index, count))


def run_share(job: Job, spec: Mapping[str, Any], end: Mapping[int, int]) -> tuple[Offsets, int]:
    """A worker process's share: its own feed, the registered views by name. It stops at its
    next batch if the rebuild process is gone, rather than apply a share for nobody."""
    parent = multiprocessing.parent_process()

    def watch(events: int, read: int) -> None:
        if parent is not None and not parent.is_alive():
            raise RuntimeError("the rebuild process is gone")

    feed = open_share(spec)
    try:
        return build(job, feed, load_views(list(job.views)), end, watch)
    finally:
        feed.close()


def build(job: Job, feed: Feed, views: Sequence[View], end: Mapping[int, int],
          progress: Progress | None = None) -> tuple[Offsets, int]:
    """Apply the share up to `end` into the lane; (offsets and positions reached, events)."""
    store = ViewStore(job.url, job.prefix)
    if store.dialect == SQLITE:
        conn = store.connect()
        try:
            return apply_upto(store, conn, feed, job, views, end, progress)
        finally:
            conn.close()
    with tempfile.TemporaryDirectory(prefix="credit-ledger-stage-") as directory:
        stage = ViewStore(f"sqlite:///{Path(directory) / 'stage.sqlite3'}", job.prefix)
        conn = stage.connect()
        try:
            # A stage that dies with its process is simply rebuilt: no durability needed.
            for pragma in ("locking_mode=EXCLUSIVE", "journal_mode=OFF", "synchronous=OFF",
                           f"cache_size=-{STAGE_CACHE_KIB}"):
                conn.execute(f"PRAGMA {pragma}")
            with stage.transaction(conn) as tx:
                catalog.create(tx)
                for view in views:
                    catalog.create_tables(tx, stage, view, job.lane, indexes=False)
                    catalog.create_indexes(tx, stage, view, job.lane, view.apply_indexes)
            with fewer_collections():
                done = apply_upto(stage, conn, feed, job, views, end, progress)
        finally:
            conn.close()
        load(stage.sqlite_path, store, views, job.lane)
    return done


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Events are dicts freed by reference counting: collections every 50,000 allocations
    instead of 700 cost a share about 8 % less CPU. Main thread only (a server's others)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def apply_upto(store: ViewStore, conn: Any, feed: Feed, job: Job, views: Sequence[View],
               end: Mapping[int, int], progress: Progress | None) -> tuple[Offsets, int]:
    """The feed from offset 0 up to `end`, a transaction per batch, as the runner applies."""
    names = catalog.names_for(store, views, job.lane)
    offsets = {p: 0 for p in end}
    events = idle = 0
    while pending := {p: o for p, o in offsets.items() if o < end[p]}:
        records = [r for r in feed.poll(pending, job.batch, 1.0) if r.offset < end[r.partition]]
        if not records:
            idle += 1
            if idle >= 3:  # the head counts offsets that carry no record (gaps)
                break
            continue
        idle = 0
        with store.transaction(conn, names, pipeline=True) as tx:
            events += apply_records(tx, job.lane, views, records)
        offsets = next_offsets(offsets, records)
        if progress is not None:
            progress(events, sum(offsets.values()))
    with store.transaction(conn) as tx:
        top = dict(tx.fetchall(f"SELECT part, position FROM {tx.t('proj_offsets')} "
                               "WHERE generation = ?", (job.lane,)))
    return {p: (o, int(top.get(p, 0))) for p, o in offsets.items()}, events


def load(path: str, store: ViewStore, views: Sequence[View], lane: int) -> None:
    """COPY a stage's tables into the view store's new generation (see the module doc)."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn = store.connect()
    names = catalog.names_for(store, views, lane)
    try:
        for view in views:
            for table in view.tables:
                target = names[table]
                if table not in view.merges:
                    with store.transaction(conn, lock=False) as tx:
                        copy(source, target, tx.cursor, target)
                    continue
                upsert = VALUES.subn("SELECT * FROM share_rows WHERE true",
                                     view.merges[table].format_map(names), count=1)
                if upsert[1] != 1:
                    raise ValueError(f"a merge upsert must insert VALUES (?, ...): {upsert[0]}")
                with store.transaction(conn) as tx:
                    tx.execute(f"CREATE TEMPORARY TABLE share_rows (LIKE {target}) "
                               "ON COMMIT DROP")
                    copy(source, target, tx.cursor, "share_rows")
                    tx.execute(upsert[0])
        streams = store.physical("proj_streams")
        with store.transaction(conn, lock=False) as tx:
            copy(source, streams, tx.cursor, streams, f"generation = {int(lane)}")
    finally:
        conn.close()
        source.close()


def copy(source: sqlite3.Connection, table: str, cursor: Any, target: str,
         where: str = "true") -> None:
    """COPY an SQLite table's rows into `target` (psycopg formats them, in C)."""
    columns = ", ".join(row[1] for row in source.execute(f"PRAGMA table_info({table})"))
    rows = source.execute(f"SELECT {columns} FROM {table} WHERE {where}")
    with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as out:
        while chunk := rows.fetchmany(COPY_ROWS):
            for row in chunk:
                out.write_row(row)
