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
adds one row: the other stages' rows go through it into the first stage. A stream found in
two shares fails the rebuild. Every share reads up to the same head; a partition read by
several (the store's one) keeps the lowest offset any of them reached (`combine`).

The first share runs in the rebuild process; the others in `python -m projections.shards`
children, whose spec (it may hold the database password) goes down their stdin, and which
die with the rebuild process. A child that fails fails the rebuild at its next batch, which
then drops its new tables as for any failure.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any, cast

import orjson

from projections import catalog
from projections.feed import Feed
from projections.storage import ViewStore
from projections.view import View

# Processes: one per core this process may use (a rebuild is CPU per event), up to a few.
SHARES = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1))
SHARD_MIN = 20_000  # records to rebuild that make starting a process (~0.5 s) worth it
VALUES = re.compile(r"VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)")


def share_count(feed: Feed, targets: Sequence[View], records: int) -> int:
    """Shares to split a rebuild of `records` records into (1: do not split).

    Only registered views can go to a child (it loads them by name), and only those that
    declare what their shares merge (`merges`, even if empty)."""
    from projections.views import load_views

    registered = {id(v) for v in load_views()}
    if records < SHARD_MIN or not hasattr(feed, "share_spec"):
        return 1
    if not all(id(v) in registered and hasattr(v, "merges") for v in targets):
        return 1
    return max(1, min(SHARES, int(getattr(feed, "shares", lambda: 1)())))


def merges_of(view: View) -> dict[str, str]:
    """A view's merged tables and the upsert adding a row to each (see the module doc)."""
    return cast(dict[str, str], getattr(view, "merges", {}))


def open_share(spec: Mapping[str, Any]) -> Feed:
    """The feed of one share, from a feed's `share_spec`."""
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


class Share:
    """A child process applying every view to one share into a stage file of its own."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.child = subprocess.Popen([sys.executable, "-m", "projections.shards"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.child.stdin is not None
        self.child.stdin.write(orjson.dumps(spec, option=orjson.OPT_NON_STR_KEYS))
        self.child.stdin.close()

    def check(self) -> None:
        """Raise if the process has already failed (the rebuild need not finish its own
        share first)."""
        code = self.child.poll()
        if code is not None and code != 0:
            raise RuntimeError(f"a rebuild share process failed (exit {code})")

    def finish(self) -> tuple[dict[int, int], int]:
        """(next offsets, events applied) once its stage is complete; raises if it failed."""
        assert self.child.stdout is not None
        answer = self.child.stdout.read()
        if self.child.wait() != 0 or not answer.startswith(b"{"):
            raise RuntimeError(f"a rebuild share process failed (exit {self.child.returncode})")
        done = orjson.loads(answer)
        return {int(p): int(o) for p, o in done["offsets"].items()}, int(done["events"])

    def close(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        if self.child.stdout is not None:
            self.child.stdout.close()


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


def serve(spec: dict[str, Any]) -> dict[str, Any]:
    """Child process: apply every view to one share, up to the head given, in its stage."""
    from projections.rebuild import catch_up
    from projections.staging import create_stage, fewer_collections, open_stage, write_held
    from projections.views import load_views

    views = load_views(spec["views"])
    lane = int(spec["lane"])
    stage, conn = open_stage(spec["path"], spec["prefix"])
    feed = open_share(spec["feed"])
    try:
        names = create_stage(stage, conn, views, lane)
        end = {int(p): int(o) for p, o in spec["end"].items()}
        with fewer_collections():
            offsets, events = catch_up(stage, conn, feed, lane, views, names,
                                       int(spec["batch"]), None, end=end)
        write_held(stage, conn, names)
    finally:
        conn.close()
        feed.close()
    return {"offsets": {str(p): o for p, o in offsets.items()}, "events": events}


def die_with_parent() -> None:
    """Linux: be killed when the rebuild process dies, killed or not, instead of applying a
    whole share for nobody."""
    parent = os.getppid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)


def main() -> None:
    die_with_parent()
    spec = orjson.loads(sys.stdin.buffer.read())
    done = serve(spec)
    sys.stdout.buffer.write(orjson.dumps(done))


if __name__ == "__main__":
    main()
