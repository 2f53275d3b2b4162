"""Rebuilding into PostgreSQL through a local SQLite stage, then one bulk load.

Views apply one event at a time; on PostgreSQL every statement is a network round trip,
while SQLite in the same process answers in microseconds. A rebuild fills fresh tables that
nobody reads until the swap, so it may build them in a private SQLite file (same view SQL:
the contract keeps it portable) and COPY the result, then key and index it (`load`). A
failed load fails the rebuild, which drops the new tables. The stage lives on disk with a
bounded page cache: memory does not grow with the number of events. From SHARD_MIN records
the feed is split into shares, each with a stage of its own (projections.shards).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from projections import bare_tables, catalog
from projections.batch import Held
from projections.feed import Feed, lag
from projections.shards import (
    Share,
    combine,
    merge,
    merges_of,
    open_share,
    share_count,
    share_end,
)
from projections.stage_copy import copy_table
from projections.storage import Tx, ViewStore
from projections.twin_rows import TWINS, stage_view, twinned
from projections.view import View

# The stage's own page cache; beyond it the OS page cache serves the file. Fixed, so the
# rebuild's memory does not grow with the number of events; big enough to keep the indexes
# a million events' rows need hot (16 MiB cost a tenth more time at 982,000 events).
STAGE_CACHE_KIB = 128 * 1024
# Stage directories are named after the rebuild's process: <prefix><pid>-<random>.
STAGE_PREFIX = "credit-ledger-rebuild-"
# Connections loading views into PostgreSQL at once: its COPY and index builds use a core each.
LOAD_CONNECTIONS = 2
# Memory for each load's index builds (PostgreSQL's, per connection): the default 64 MB
# sorts the keys of a million score rows on disk.
LOAD_SORT_MEMORY = "256MB"
# LOAD_COMMITS: each load step commits without waiting for its WAL to reach the disk (a
# flush of tens of megabytes per step, while the CPU waits): nothing reads the new tables
# before the swap, whose own commit waits for all of the WAL written before it, so a crash
# before then loses only a rebuild that had not swapped, and its lane, as any failed one.


def open_stage(path: str, prefix: str) -> tuple[ViewStore, Any]:
    stage = ViewStore(f"sqlite:///{path}", prefix)
    conn = stage.connect()
    # A stage that dies with the process is simply rebuilt: no durability needed.
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # one connection: no file locks per batch
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size=-{STAGE_CACHE_KIB}")
    stage.held = Held()  # counters are written once, by `write_held`
    return stage, conn


def sweep_stale_stages(root: str | None = None) -> list[Path]:
    """Remove the stage directories of rebuilds whose process is gone (one killed outright
    never ran its cleanup, and a stage of a million events is gigabytes); the removed."""
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{STAGE_PREFIX}*"):
        pid = path.name[len(STAGE_PREFIX):].split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True


def write_held(stage: ViewStore, conn: Any, names: dict[str, str]) -> None:
    """Write the counters and earliest dates the stage held over its batches."""
    with stage.transaction(conn, names) as tx:
        stage.held.write(tx)


def applying_indexes(view: View) -> Sequence[str]:
    """The indexes a view's own writes need while applying (`apply_indexes`, else all).

    The stage is read by nothing but the views' updates and lookups; the indexes their
    readers need are built in PostgreSQL once, after the load.
    """
    return getattr(view, "apply_indexes", view.indexes)


def create_stage(stage: ViewStore, conn: Any, views: Sequence[View], lane: int,
                 ) -> dict[str, str]:
    """The bookkeeping and the views' tables in a stage, with the indexes applying needs;
    the views' physical table names."""
    with stage.transaction(conn) as tx:
        catalog.create(tx)
        for view in views:
            catalog.create_tables(tx, stage, view, lane, indexes=False)
            catalog.create_indexes(tx, stage, view, lane, applying_indexes(view))
    return catalog.names_for(stage, views, lane)


def staged_catch_up(store: ViewStore, feed: Feed, lane: int,
                    targets: Sequence[View], batch: int, progress: Any,
                    phases: dict[str, float]) -> tuple[dict[int, int], int]:
    """Build the targets' tables in a stage up to the feed's head, then load them into store.

    From SHARD_MIN records on, the feed is split into shares, each applied by a process of
    its own to a stage file of its own (projections.shards); this process takes the first.
    """
    from projections.rebuild import catch_up

    head = feed.end_offsets()
    count = share_count(feed, targets, lag(head, {}))
    sweep_stale_stages()
    with tempfile.TemporaryDirectory(prefix=f"{STAGE_PREFIX}{os.getpid()}-") as directory:
        paths = [str(Path(directory) / f"share{n}.sqlite3") for n in range(count)]
        twins = twinned(targets)
        applied = [stage_view(v, twins) for v in targets]
        children: list[Share] = []
        here, end = feed, None
        try:
            if count > 1:
                specs = [feed.share_spec(n, count) for n in range(count)]  # type: ignore[attr-defined]
                end = share_end(specs[0], head)
                for n in range(1, count):
                    children.append(Share({
                        "feed": specs[n], "end": share_end(specs[n], head), "path": paths[n],
                        "prefix": store.prefix, "lane": lane, "batch": batch, "twins": twins,
                        "views": [v.name for v in targets]}))
                here = open_share(specs[0])
            stage, sconn = open_stage(paths[0], store.prefix)
            try:
                names = create_stage(stage, sconn, applied, lane)
                started = time.monotonic()
                done = [catch_up(stage, sconn, here, lane, applied, names, batch,
                                 watched(progress, children, lag(head, {})), end=end)]
                write_held(stage, sconn, names)
                done += [child.finish() for child in children]
                offsets, events = combine(done)
                merge(stage, sconn, paths[1:], applied, lane)
            finally:
                sconn.close()  # the load reads the files from other connections and processes
        finally:
            for child in children:
                child.close()
            if here is not feed:
                here.close()
        loading = time.monotonic()
        load(paths, store, targets, lane, twins)
        phases |= {"apply": loading - started, "load": time.monotonic() - loading}
    return offsets, events


def watched(progress: Any, children: Sequence[Share], total: int) -> Any:
    """Called after every batch of this process's share: fails at once if another share's
    process failed, and reports the whole rebuild's progress (`total` records) as this share
    shows it: shares are about equal, and read their records at about the same pace."""
    if not children:
        return progress
    count = len(children) + 1

    def report(events: int, read: int, head: int) -> None:
        for child in children:
            child.check()
        if progress is not None:
            progress(events * count, round(total * read / head) if head else total, total)

    return report


def load(paths: Sequence[str], store: ViewStore, targets: Sequence[View], lane: int,
         twins: bool = False) -> None:
    """COPY the staged tables into the view store (created without their primary keys, see
    projections.bare_tables), then key and index them, LOAD_CONNECTIONS at once.

    `paths` are the stage files of the shares: the first holds the merged tables and the
    lane's bookkeeping (projections.shards), every one its share of the other tables. Two
    rounds, each spread over the connections, biggest first: every (stage file, table) COPY
    and the bookkeeping (which the swap reads); then per view its twin tables, filled inside
    PostgreSQL from the tables they equal (projections.twin_rows: no second COPY of the same
    rows), its keys and its indexes. Each step commits on its own: the tables are fresh,
    nobody reads them before the swap, and a failed rebuild drops them and its lane
    (projections.rebuild).
    """
    twin_of = {table: source for (_, table), source in TWINS.items()} if twins else {}
    copies: list[tuple[int, str, str, str]] = []  # (rows, stage file, table, where)
    for view in targets:
        merged = set(merges_of(view))
        for table in view.tables:
            if table not in twin_of:
                name = store.physical(table, lane)
                for path in paths[:1] if table in merged else paths:
                    copies.append((staged_rows(path, name), path, name, "1 = 1"))
    for table in ("proj_streams", "proj_offsets"):
        name = store.physical(table)
        copies.append((staged_rows(paths[0], name), paths[0], name,
                       f"generation = {int(lane)}"))
    rows: dict[str, int] = {}
    for n, _, name, _ in copies:
        rows[name] = rows.get(name, 0) + n

    def copy(step: tuple[int, str, str, str], tx: Tx) -> None:
        _, path, table, where = step
        copy_table(path, tx.cursor, table, where)

    def finish(view: View, tx: Tx) -> None:
        tx.execute(f"SET LOCAL maintenance_work_mem = '{LOAD_SORT_MEMORY}'")
        for table in view.tables:
            if table in twin_of:
                tx.execute(f"INSERT INTO {store.physical(table, lane)} "
                           f"SELECT * FROM {store.physical(twin_of[table][1], lane)}")
        bare_tables.add_keys(tx, store, view, lane)
        catalog.create_indexes(tx, store, view, lane)

    def weight(view: View) -> int:
        """Rows to key and index (a twin's: those of the table it equals)."""
        return sum(rows.get(store.physical(twin_of[t][1] if t in twin_of else t, lane), 0)
                   for t in view.tables)

    with Loaders(store) as loaders:
        loaders.run(copy, sorted(copies, key=lambda step: -step[0]))
        loaders.run(finish, sorted(targets, key=lambda v: -weight(v)))


class Loaders:
    """LOAD_CONNECTIONS threads, each with a connection to the view store of its own."""

    def __init__(self, store: ViewStore) -> None:
        self.store = store
        self.local = threading.local()
        self.conns: list[Any] = []
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(LOAD_CONNECTIONS, thread_name_prefix="rebuild-load")

    def __enter__(self) -> Loaders:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for conn in self.conns:
            conn.close()

    def run(self, step: Callable[[Any, Tx], None], items: Sequence[Any]) -> None:
        """`step(item, tx)` for every item, each in a transaction of its own; the first
        failure is raised (the steps already under way end first)."""
        def one(item: Any) -> None:
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = self.store.connect()
                with self.lock:
                    self.conns.append(conn)
            with self.store.transaction(conn, lock=False) as tx:
                tx.execute("SET LOCAL synchronous_commit = off")  # see LOAD_COMMITS
                step(item, tx)

        for _ in self.pool.map(one, items):
            pass


def staged_rows(path: str, table: str) -> int:
    """Rows of a table in a stage file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()
