"""Loading a rebuild's stage files into PostgreSQL: COPY, then keys and indexes.

The tables were created without their primary keys (projections.schema); each load step
runs in a transaction of its own: the tables are fresh, nobody reads them before the swap,
and a failed rebuild drops them and its lane (projections.rebuild).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from projections import catalog
from projections.shards import merges_of
from projections.spool import deferred_table, spool_path
from projections.stage_copy import copy_file, copy_table
from projections.storage import POSTGRES, Tx, ViewStore
from projections.view import View

# Connections loading views into PostgreSQL at once: its COPY and index builds use a core each
# (plus one, the early copy's: the first share's spooled rows while the others finish).
LOAD_CONNECTIONS = 2
# Memory for each load's index builds (PostgreSQL's, per connection): the default 64 MB
# sorts the keys of a million score rows on disk.
LOAD_SORT_MEMORY = "256MB"
Work = Callable[[Tx], None]


@contextmanager
def load_transaction(store: ViewStore, conn: Any) -> Iterator[Tx]:
    """A load step's transaction. On PostgreSQL it commits without waiting for its WAL to
    reach the disk: nothing reads the new tables before the swap, whose own commit waits for
    all of the WAL written before it, so a crash before then loses only a rebuild that had
    not swapped (and its lane), as any failed one. The WAL flush then happens once, at the
    swap, instead of once per step (on this machine's disk the difference was within the
    noise)."""
    with store.transaction(conn, lock=False) as tx:
        if tx.dialect == POSTGRES:
            tx.execute("SET LOCAL synchronous_commit = off")
        yield tx


class Connections:
    """One connection per thread of a load's pool, opened on its first step."""

    def __init__(self, store: ViewStore) -> None:
        self.store, self.local, self.opened = store, threading.local(), list[Any]()

    def run(self, work: Work) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.store.connect()
            self.opened.append(conn)
        with load_transaction(self.store, conn) as tx:
            work(tx)

    def close(self) -> None:
        for conn in self.opened:
            conn.close()


@dataclass(eq=False)
class Step:
    """A piece of a load, once every step or future `after` is done."""

    work: Work
    weight: int  # rows it handles: of the steps ready, the heaviest goes first
    after: Sequence[Step | Future[Any]] = ()


def run_steps(store: ViewStore, steps: Sequence[Step]) -> None:
    """Run the steps on a pool of LOAD_CONNECTIONS threads, a connection each, every step
    once all it comes after is done, the heaviest ready first (steps are handed to the pool
    only as it has a thread free, so that a heavy step ready later is not queued behind
    light ones). The first failure (of a step, a connection or a future waited for) is
    raised once the steps under way end; no other step starts."""
    if any(isinstance(b, Step) and b not in steps for s in steps for b in s.after):
        raise ValueError("a load step waits for a step that is not to be run")
    started: dict[Step, Future[None]] = {}
    waiting = list(steps)
    busy: set[Future[Any]] = set()
    others = {b for s in steps for b in s.after if isinstance(b, Future)}
    connections = Connections(store)

    def done(before: Step | Future[Any]) -> bool:
        future = started.get(before) if isinstance(before, Step) else before
        return future is not None and future.done()

    try:
        with ThreadPoolExecutor(LOAD_CONNECTIONS, thread_name_prefix="rebuild-load") as pool:
            while waiting or busy:
                ready = sorted((s for s in waiting if all(done(b) for b in s.after)),
                               key=lambda s: -s.weight)
                for step in ready[:LOAD_CONNECTIONS - len(busy)]:
                    waiting.remove(step)
                    started[step] = pool.submit(connections.run, step.work)
                    busy.add(started[step])
                if not busy and not others:
                    raise ValueError("load steps wait for each other")
                finished, _ = wait(busy | others, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()  # raises what failed
                busy -= finished
                others -= finished
    finally:
        connections.close()


def early_copies(store: ViewStore, path: str, targets: Sequence[View], lane: int,
                 ) -> list[tuple[str, str]]:
    """(spool file, table) of a share's spooled rows: the first share's are copied while
    the other shares finish (`copy_files`, then `load`)."""
    return sorted((spool_path(path, table), store.physical(table, lane))
                  for view in targets for table in view.spooled())


def copy_files(store: ViewStore, copies: Sequence[tuple[str, str]]) -> None:
    """Copy spool files into their tables, one after the other on a connection of its own."""
    conn = store.connect()
    try:
        for path, table in copies:
            with load_transaction(store, conn) as tx:
                copy_file(path, tx.cursor, table)
    finally:
        conn.close()


def load(paths: Sequence[str], store: ViewStore, targets: Sequence[View], lane: int,
         early: Future[None] | None = None, loaded: Sequence[tuple[str, str]] = ()) -> None:
    """COPY the staged tables into the view store, then key and index them.

    `paths` are the stage files of the shares: the first holds the merged tables and the
    lane's bookkeeping (projections.shards), every one its share of the other tables. The
    steps: every (stage file, table) COPY, the bookkeeping (which the swap reads), and per
    view its keys and indexes once all its tables are in (`run_steps`). The copies `loaded`
    may be under way already (`early`): the steps keying those tables wait for it, the
    others do not.
    """
    def copy(path: str, table: str, where: str = "1 = 1") -> Step:
        return Step(lambda tx: copy_table(path, tx.cursor, table, where),
                    staged_rows(path, table))

    def finish(view: View) -> Work:
        def work(tx: Tx) -> None:
            tx.execute(f"SET LOCAL maintenance_work_mem = '{LOAD_SORT_MEMORY}'")
            for table, (columns, statement) in view.spooled().items():
                apply_deferred(tx, store.physical(table, lane), columns, statement,
                               [spool_path(p, deferred_table(table)) for p in paths])
            catalog.add_keys(tx, store, view, lane)
            catalog.create_indexes(tx, store, view, lane)

        return work

    steps = [copy(paths[0], store.physical(table), f"generation = {int(lane)}")
             for table in ("proj_streams", "proj_offsets")]
    for view in targets:
        merged, spooled = set(merges_of(view)), view.spooled()
        copies = [spooled_copy(spool_path(path, table), store.physical(table, lane))
                  if table in spooled else copy(path, store.physical(table, lane))
                  for table in view.tables
                  for path in (paths[:1] if table in merged else paths)
                  if (spool_path(path, table), store.physical(table, lane)) not in loaded]
        before: list[Step | Future[Any]] = [*copies]
        if spooled and early is not None:
            before.append(early)
        steps += [*copies, Step(finish(view), sum(c.weight for c in copies), before)]
    run_steps(store, steps)


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


def staged_rows(path: str, table: str) -> int:
    """About how many rows a table in a stage file holds (a load step's weight): its highest
    rowid, read at the end of its b-tree, where count(*) would read every page of it before
    the load could start (rows a view deleted still count: a weight need not be exact)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0)
    finally:
        conn.close()
