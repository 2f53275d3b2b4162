"""Rebuilding into PostgreSQL through local SQLite stages, then one bulk load.

A rebuild into PostgreSQL applies the views to a private SQLite file (projections.stage)
instead of paying a network round trip per statement, then loads it (projections.stage_load).
From SHARD_MIN records the feed is split into shares, each with a stage of its own, the
others applied by processes of their own (projections.shards); this process takes the first.
A failed share or load fails the rebuild, which drops the new tables.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from projections.catch_up import Progress
from projections.feed import Feed, lag
from projections.shards import (
    Shares,
    ShareSpec,
    apply_share,
    combine,
    merge,
    share_count,
    share_end,
)
from projections.stage import STAGE_PREFIX, connect_stage, sweep_stale_stages
from projections.stage_load import copy_files, early_copies, load
from projections.storage import ViewStore
from projections.view import View


def staged_catch_up(store: ViewStore, feed: Feed, lane: int,
                    targets: Sequence[View], batch: int, progress: Progress | None,
                    phases: dict[str, float]) -> tuple[dict[int, int], int]:
    """Build the targets' tables in stages up to the feed's head, then load them into store.

    While the other shares finish (their processes started later), the first one's spooled
    rows go in already, on a thread and a connection of their own: they need nothing of the
    others. The pool of that thread is shut down (waited for) before the stage directory
    goes and before a failure reaches the rebuild, which then drops the tables: never drop
    a table a copy is still filling.
    """
    head = feed.end_offsets()
    count = share_count(feed, targets, lag(head, {}))
    sweep_stale_stages()
    with tempfile.TemporaryDirectory(prefix=f"{STAGE_PREFIX}{os.getpid()}-") as directory, \
            ThreadPoolExecutor(1, thread_name_prefix="rebuild-early-load") as early_pool:
        specs = share_specs(feed, head, count, directory, store.prefix, lane, batch, targets)
        shares = Shares(specs[1:]) if count > 1 else None
        early: Future[None] | None = None
        copied: list[tuple[str, str]] = []
        try:
            started = time.monotonic()
            done = [apply_share(specs[0], watched(progress, shares, lag(head, {})),
                                feed=None if count > 1 else feed, views=targets)]
            if shares is not None:
                if any(v.spooled() for v in targets):
                    copied = early_copies(store, specs[0].path, targets, lane)
                    early = early_pool.submit(copy_files, store, copied)
                done += shares.finish()
                stage, conn = connect_stage(specs[0].path, store.prefix)
                try:
                    merge(stage, conn, [s.path for s in specs[1:]], targets, lane)
                finally:
                    conn.close()
            offsets, events = combine(done)
        finally:
            if shares is not None:
                shares.close()
        loading = time.monotonic()
        load([s.path for s in specs], store, targets, lane, early, copied)
        phases |= {"apply": loading - started, "load": time.monotonic() - loading}
    return offsets, events


def share_specs(feed: Feed, head: dict[int, int], count: int, directory: str, prefix: str,
                lane: int, batch: int, targets: Sequence[View]) -> list[ShareSpec]:
    """The shares of a rebuild, each up to its part of the same head. One share is the feed
    itself, read up to its head as it is when reached (no fixed end)."""
    paths = [str(Path(directory) / f"share{n}.sqlite3") for n in range(count)]
    views = tuple(v.name for v in targets)
    if count == 1:
        return [ShareSpec({}, None, paths[0], prefix, lane, batch, views)]
    feeds = [feed.share_spec(n, count) for n in range(count)]
    return [ShareSpec(f, share_end(f, head), path, prefix, lane, batch, views)
            for f, path in zip(feeds, paths, strict=True)]


def watched(progress: Progress | None, shares: Shares | None, total: int) -> Any:
    """Called after every batch of this process's share: fails at once if another share
    failed, and reports the whole rebuild's progress (`total` records) as this share shows
    it: shares are about equal, and read their records at about the same pace."""
    if shares is None:
        return progress
    count = len(shares.futures) + 1

    def report(events: int, read: int, head: int) -> None:
        shares.check()
        if progress is not None:
            progress(events * count, round(total * read / head) if head else total, total)

    return report
