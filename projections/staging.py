"""Rebuilding into PostgreSQL through a local SQLite stage, then one bulk load.

Views apply one event at a time; on PostgreSQL every statement is a network round trip,
while SQLite in the same process answers in microseconds. A rebuild fills fresh tables that
nobody reads until the swap, so it may build them in a private SQLite file (same view SQL:
the contract keeps it portable) and COPY the result, then key and index it (`load`). A
failed load fails the rebuild, which drops the new tables. The stage lives on disk with a
bounded page cache: memory does not grow with the number of events. From SHARD_MIN records
the feed is split into shares, each with a stage of its own (projections.shards). The rows
of the tables views spool (score contributions, permits, penalties) bypass SQLite: they go
to files of COPY text beside the stage file, their updates deferred to the load
(projections.spool, ADR 011).
"""

from __future__ import annotations

import gc
import heapq
import itertools
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

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
from projections.spool import Spool, deferred_table, spool_path
from projections.stage_copy import copy_file, copy_table
from projections.storage import POSTGRES, Tx, ViewStore
from projections.view import View

# The stage's own page cache; beyond it the OS page cache serves the file. Fixed, so the
# rebuild's memory does not grow with the number of events; big enough to keep the indexes
# a million events' rows need hot (16 MiB cost a tenth more time at 982,000 events).
STAGE_CACHE_KIB = 128 * 1024
# Stage directories are named after the rebuild's process: <prefix><pid>-<random>.
STAGE_PREFIX = "credit-ledger-rebuild-"
# Connections loading views into PostgreSQL at once: its COPY and index builds use a core each
# (plus one, EarlyLoad's, copying the first share's spooled rows while the others finish).
LOAD_CONNECTIONS = 2
# Memory for each load's index builds (PostgreSQL's, per connection): the default 64 MB
# sorts the keys of a million score rows on disk.
LOAD_SORT_MEMORY = "256MB"
# Load commits: on PostgreSQL a load step commits without waiting for its WAL to reach the
# disk: nothing reads the new tables before the swap, whose own commit waits for all of the
# WAL written before it, so a crash before then loses only a rebuild that had not swapped
# (and its lane), as any failed one. The WAL flush then happens once, at the swap, instead
# of once per step (on this machine's disk the difference was within the noise).


def open_stage(path: str, prefix: str) -> tuple[ViewStore, Any]:
    stage = ViewStore(f"sqlite:///{path}", prefix)
    conn = stage.connect()
    # A stage that dies with the process is simply rebuilt: no durability needed.
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # one connection: no file locks per batch
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size=-{STAGE_CACHE_KIB}")
    stage.held = Held()  # counters are written once, by `write_held`
    stage.spool = Spool(path)  # the rows of the views' `spooled` tables (projections.spool)
    # One transaction for the whole stage instead of one per batch: each commit wrote the
    # batch's dirty pages, the same hot index pages every time; now only pages the cache
    # evicts are written. `write_held` commits it (the load reads the file from elsewhere).
    stage.open_ended = True
    conn.execute("BEGIN")
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


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic collector, tuned for applying a stage: every event is a few dicts,
    nearly all freed by reference counting, yet by default every 700 of them start a young
    collection, and the older collections walk everything alive (the stage's held counters
    and caches grow with it). With the objects alive before the stage frozen out of the walks
    and young collections every 50,000 allocations, a share of 300,000 events took 45 to 48
    us of CPU per event instead of 50 to 53 (three runs each, alternated). Both settings are
    the process's, put back afterwards: a rebuild running in a thread of a server (the
    admin API's) leaves them alone, for the sake of the other threads."""
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


def write_held(stage: ViewStore, conn: Any, names: dict[str, str]) -> None:
    """Write the counters and earliest dates the stage held over its batches, and commit the
    stage's transaction: it is complete."""
    if stage.open_ended_failed:
        raise RuntimeError("a batch of this rebuild stage failed: its rows are not committed")
    with stage.transaction(conn, names) as tx:
        stage.held.write(tx)
    stage.spool.close()
    if conn.in_transaction:
        conn.execute("COMMIT")


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
    if stage.spool is not None:
        stage.spool.declare([t for view in views for t in spooled_of(view)])
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
        children: list[Share] = []
        here, end = feed, None
        early: EarlyLoad | None = None
        try:
            try:
                if count > 1:
                    specs = [feed.share_spec(n, count)  # type: ignore[attr-defined]
                             for n in range(count)]
                    end = share_end(specs[0], head)
                    for n in range(1, count):
                        children.append(Share({
                            "feed": specs[n], "end": share_end(specs[n], head),
                            "path": paths[n], "prefix": store.prefix, "lane": lane,
                            "batch": batch, "views": [v.name for v in targets]}))
                    here = open_share(specs[0])
                stage, sconn = open_stage(paths[0], store.prefix)
                try:
                    names = create_stage(stage, sconn, targets, lane)
                    started = time.monotonic()
                    with fewer_collections():
                        done = [catch_up(stage, sconn, here, lane, targets, names, batch,
                                         watched(progress, children, lag(head, {})), end=end)]
                    write_held(stage, sconn, names)
                    # While the other shares finish (their processes started later), this
                    # one's spooled rows go in: they need nothing of the others.
                    if children and any(spooled_of(v) for v in targets):
                        early = EarlyLoad(store, paths[0], targets, lane)
                    done += [child.finish() for child in children]
                    offsets, events = combine(done)
                    merge(stage, sconn, paths[1:], targets, lane)
                finally:
                    stage.spool.close()
                    sconn.close()  # the load reads the files from other connections
            finally:
                for child in children:
                    child.close()
                if here is not feed:
                    here.close()
            loading = time.monotonic()
            load(paths, store, targets, lane, early)
            phases |= {"apply": loading - started, "load": time.monotonic() - loading}
        finally:
            if early is not None:
                early.join()  # never drop (a failed rebuild) tables a copy is still filling
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


class EarlyLoad(threading.Thread):
    """The COPY of one finished share's spooled files, on a connection of its own, while the
    rebuild waits for its other shares and merges them; `load` takes it from there."""

    def __init__(self, store: ViewStore, path: str, targets: Sequence[View], lane: int) -> None:
        super().__init__(name="rebuild-early-load", daemon=True)
        self.copies = {(spool_path(path, table), store.physical(table, lane))
                       for view in targets for table in spooled_of(view)}
        self.store = store
        self.failure: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            run_steps(self.store, [spooled_copy(f, t) for f, t in sorted(self.copies)],
                      connections=1, name="rebuild-early-load")
        except BaseException as e:  # raised by `done`, in a thread of the load
            self.failure = e

    def done(self) -> None:
        """Wait for the copies; raise what failed."""
        self.join()
        if self.failure is not None:
            raise self.failure


def load(paths: Sequence[str], store: ViewStore, targets: Sequence[View], lane: int,
         early: EarlyLoad | None = None) -> None:
    """COPY the staged tables into the view store (created without their primary keys, see
    projections.bare_tables), then key and index them, LOAD_CONNECTIONS at once.

    `paths` are the stage files of the shares: the first holds the merged tables and the
    lane's bookkeeping (projections.shards), every one its share of the other tables. The
    steps: every (stage file, table) COPY, the bookkeeping (which the swap reads), and per
    view its keys and indexes once all its tables are in; the heaviest step ready goes first
    (`run_steps`). Each step commits on its own: the tables are fresh, nobody reads them
    before the swap, and a failed rebuild drops them and its lane (projections.rebuild).
    The first share's spooled files may be under way already (`early`): the steps keying
    those tables wait for it, the others do not.
    """
    def copy(path: str, table: str, where: str = "1 = 1") -> Step:
        return Step(lambda tx: copy_table(path, tx.cursor, table, where),
                    staged_rows(path, table))

    def finish(view: View) -> Callable[[Tx], None]:
        def work(tx: Tx) -> None:
            tx.execute(f"SET LOCAL maintenance_work_mem = '{LOAD_SORT_MEMORY}'")
            for table, (columns, statement) in spooled_of(view).items():
                apply_deferred(tx, store.physical(table, lane), columns, statement,
                               [spool_path(p, deferred_table(table)) for p in paths])
            bare_tables.add_keys(tx, store, view, lane)
            catalog.create_indexes(tx, store, view, lane)

        return work

    steps = [copy(paths[0], store.physical(table), f"generation = {int(lane)}")
             for table in ("proj_streams", "proj_offsets")]
    loaded = early.copies if early is not None else set()
    # Waiting for the early copies, the lightest step, holds a connection (in an idle
    # transaction) only when nothing heavier is ready.
    waited = [Step(lambda tx: early.done(), 0)] if early is not None else []
    for view in targets:
        merged, spooled = set(merges_of(view)), spooled_of(view)
        copies = [spooled_copy(spool_path(path, table), store.physical(table, lane))
                  if table in spooled else copy(path, store.physical(table, lane))
                  for table in view.tables
                  for path in (paths[:1] if table in merged else paths)
                  if (spool_path(path, table), store.physical(table, lane)) not in loaded]
        before = copies + (waited if spooled else [])
        steps += [*copies, Step(finish(view), sum(c.weight for c in copies), before)]
    run_steps(store, steps + waited)  # the caller joins `early` whatever happens


def spooled_of(view: View) -> dict[str, tuple[str, str]]:
    """A view's spooled tables: {table: (its deferred updates' columns, the statement
    applying them)} (projections.spool)."""
    return cast(dict[str, tuple[str, str]], getattr(view, "spooled", {}))


def spooled_copy(path: str, table: str) -> Step:
    """The step copying a spool file into its table."""
    return Step(lambda tx: copy_file(path, tx.cursor, table), spooled_rows(path))


def spooled_rows(path: str) -> int:
    """About how many rows a spool file holds (a load step's weight): a score or permit row
    is about 150 bytes of COPY text."""
    return os.path.getsize(path) // 150


def apply_deferred(tx: Tx, table: str, columns: str, statement: str,
                   files: Sequence[str]) -> None:
    """Apply the deferred updates of a spooled table, once its rows are in: the files' rows
    go to a temporary table, which `statement` reads as {deferred}."""
    files = [f for f in files if os.path.getsize(f)]  # every share wrote one, maybe empty
    if not files:
        return
    deferred = "spool_deferred"  # short: a name from `table` could be truncated into it
    tx.execute(f"CREATE TEMPORARY TABLE {deferred} ({columns}) ON COMMIT DROP")
    for path in files:
        copy_file(path, tx.cursor, deferred)
    tx.execute(f"ANALYZE {deferred}")
    tx.execute(statement.format(table=table, deferred=deferred))
    tx.execute(f"DROP TABLE {deferred}")  # the view's next spooled table uses the name


@dataclass(eq=False)
class Step:
    """A piece of a load, in a transaction of its own, once every step `after` is done."""

    work: Callable[[Tx], None]
    weight: int  # rows it handles: of the steps ready, the heaviest goes first
    after: list[Step] = field(default_factory=list)


def run_steps(store: ViewStore, steps: Sequence[Step], connections: int | None = None,
              name: str = "rebuild-load") -> None:
    """Run the steps on `connections` connections of their own (LOAD_CONNECTIONS); the first
    failure (of a step, or of a connection) stops the others from starting new steps and is
    raised once the ones under way end."""
    if any(before not in steps for s in steps for before in s.after):
        raise ValueError("a load step waits for a step that is not to be run")
    waiting = {s: len(s.after) for s in steps}
    then: dict[Step, list[Step]] = {}
    for s in steps:
        for before in s.after:
            then.setdefault(before, []).append(s)
    order = itertools.count()
    ready = [(-s.weight, next(order), s) for s in steps if not s.after]
    heapq.heapify(ready)
    left, failures = len(steps), list[BaseException]()
    turn = threading.Condition()

    def next_step() -> Step | None:
        with turn:
            while not ready and left and not failures:
                turn.wait()
            return None if failures or not ready else heapq.heappop(ready)[2]

    def done(step: Step) -> None:
        nonlocal left
        with turn:
            left -= 1
            for s in then.get(step, []):
                waiting[s] -= 1
                if not waiting[s]:
                    heapq.heappush(ready, (-s.weight, next(order), s))
            turn.notify_all()

    def worker() -> None:
        try:
            conn = store.connect()
            try:
                while (step := next_step()) is not None:
                    with store.transaction(conn, lock=False) as tx:
                        if tx.dialect == POSTGRES:  # see "Load commits" above
                            tx.execute("SET LOCAL synchronous_commit = off")
                        step.work(tx)
                    done(step)
            finally:
                conn.close()
        except BaseException as e:
            with turn:
                failures.append(e)
                turn.notify_all()

    workers = [threading.Thread(target=worker, name=f"{name}-{n}")
               for n in range(connections or LOAD_CONNECTIONS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise failures[0]


def staged_rows(path: str, table: str) -> int:
    """Rows of a table in a stage file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()
