"""A rebuild's stage: a private SQLite file that one process applies every view to.

Views apply one event at a time; on PostgreSQL every statement is a network round trip,
while SQLite in the same process answers in microseconds. A rebuild fills fresh tables that
nobody reads until the swap, so each share of it (projections.shards) builds them in a stage
file of its own (same view SQL: the contract keeps it portable), which projections.stage_load
then copies into PostgreSQL. The stage lives on disk with a bounded page cache: memory does
not grow with the number of events. The rows of the tables views spool (score contributions,
permits, penalties) bypass SQLite: they go to files of COPY text beside the stage file, their
updates deferred to the load (projections.spool, ADR 011).
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from projections import catalog
from projections.held import Held
from projections.spool import Spool
from projections.storage import ViewStore
from projections.view import View

# The stage's own page cache; beyond it the OS page cache serves the file. Fixed, so the
# rebuild's memory does not grow with the number of events; big enough to keep the indexes
# a million events' rows need hot (16 MiB cost a tenth more time at 982,000 events).
STAGE_CACHE_KIB = 128 * 1024
# Stage directories are named after the rebuild's process: <prefix><pid>-<random>.
STAGE_PREFIX = "credit-ledger-rebuild-"


def connect_stage(path: str, prefix: str) -> tuple[ViewStore, Any]:
    """A stage file and its one connection (the merge's: projections.shards)."""
    stage = ViewStore(f"sqlite:///{path}", prefix)
    conn = stage.connect()
    # A stage that dies with the process is simply rebuilt: no durability needed.
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")  # one connection: no file locks per batch
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size=-{STAGE_CACHE_KIB}")
    return stage, conn


def open_stage(path: str, prefix: str) -> tuple[ViewStore, Any]:
    """A new stage file to apply views to (`create_stage`, then `write_held`)."""
    stage, conn = connect_stage(path, prefix)
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
    assert stage.held is not None and stage.spool is not None, "a stage from open_stage"
    with stage.transaction(conn, names) as tx:
        stage.held.write(tx)
    stage.spool.close()
    if conn.in_transaction:
        conn.execute("COMMIT")


def create_stage(stage: ViewStore, conn: Any, views: Sequence[View], lane: int,
                 ) -> dict[str, str]:
    """The bookkeeping and the views' tables in a stage, with only the indexes applying needs
    (`View.apply_indexes`: the stage is read by nothing but the views' updates and lookups;
    the indexes their readers need are built in PostgreSQL once, after the load); the
    views' physical table names."""
    with stage.transaction(conn) as tx:
        catalog.create(tx)
        for view in views:
            catalog.create_tables(tx, stage, view, lane, indexes=view.apply_indexes())
    if stage.spool is not None:
        stage.spool.declare([t for view in views for t in view.spooled()])
    return catalog.names_for(stage, views, lane)

