"""Some views of a staged rebuild applied by a second process, in a stage file of its own.

A rebuild is Python CPU per event, and one process uses one core. The rebuild process reads
the feed, deduplicates and applies some views; it sends the new envelopes of each batch
(one orjson array) down a pipe to a worker that applies the others to its own SQLite stage.
The pipe holds about a batch, so neither runs far ahead and memory stays bounded. Both
stages are loaded into PostgreSQL at the end (projections.staging); a worker that fails
fails the rebuild, which then drops its tables as for any failure.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, Any

import orjson

from projections import catalog
from projections.apply import apply_view
from projections.view import View, ViewTx

LENGTH = struct.Struct("<Q")
# Rough CPU per event (us) of each registered view, and of what each process does besides
# (the rebuild: read, decode, deduplicate, encode for the worker; the worker: decode).
COST = {"indicators": 20, "scores": 12, "profiles": 9, "timeliness": 2, "lists": 1,
        "repair_ratios": 1}
MAIN_BASE, WORKER_BASE = 17, 6
TWIN_SAVING = 8  # the indicators view without its score rows (projections.twin_rows)
WORKER_MIN = 20_000  # records to rebuild that make starting a worker (~0.3 s) worth it


def split(targets: Sequence[View], twins: bool = False) -> tuple[list[View], list[View]]:
    """(views to apply here, views for the worker), balancing their rough cost. Only the
    registered view objects can go: the worker loads its views by name."""
    from projections.views import load_views

    costs = COST | ({"indicators": COST["indicators"] - TWIN_SAVING} if twins else {})
    registered = {v.name: v for v in load_views()}
    here, there, load_here, load_there = [], [], MAIN_BASE, WORKER_BASE
    for view in sorted(targets, key=lambda v: -costs.get(v.name, 5)):
        cost = costs.get(view.name, 5)
        if registered.get(view.name) is view and load_there < load_here:
            there.append(view)
            load_there += cost
        else:
            here.append(view)
            load_here += cost
    return here, there


class Worker:
    """The rebuild's side: a View whose `apply_many` sends the batch to the worker process."""

    name = "worker"
    tables: dict[str, str] = {}  # noqa: RUF012 (its views' tables live in its own stage)
    indexes: Sequence[str] = ()

    def __init__(self, path: str, prefix: str, lane: int, views: Sequence[View],
                 twins: bool = False) -> None:
        spec = orjson.dumps({"path": path, "prefix": prefix, "lane": lane,
                             "views": [v.name for v in views], "twins": twins})
        self.child = subprocess.Popen([sys.executable, "-m", "projections.view_worker",
                                       spec.decode()], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, bufsize=1 << 20)

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        if envelopes:
            self._send(orjson.dumps(envelopes))

    def _send(self, body: bytes) -> None:
        assert self.child.stdin is not None
        try:
            self.child.stdin.write(LENGTH.pack(len(body)) + body)
        except BrokenPipeError:
            raise RuntimeError(f"the view worker died ({self.child.wait()})") from None

    def finish(self) -> None:
        """Wait until every batch sent is committed in the worker's stage."""
        assert self.child.stdin is not None and self.child.stdout is not None
        self._send(b"")
        self.child.stdin.close()
        answer = self.child.stdout.read()
        if self.child.wait() != 0 or answer != b"ok\n":
            raise RuntimeError(f"the view worker failed ({self.child.returncode})")

    def close(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()


def serve(path: str, prefix: str, lane: int, names: list[str], twins: bool,
          source: IO[bytes]) -> None:
    """Worker process: create the views' stage tables, apply each batch, commit it."""
    from projections.staging import applying_indexes, open_stage
    from projections.twin_rows import stage_view
    from projections.views import load_views

    views = [stage_view(v, twins) for v in load_views(names)]
    stage, conn = open_stage(path, prefix)
    with stage.transaction(conn) as tx:
        for view in views:
            catalog.create_tables(tx, stage, view, lane, indexes=False)
            catalog.create_indexes(tx, stage, view, lane, applying_indexes(view))
    names_ = catalog.names_for(stage, views, lane)
    while body := read_frame(source):
        envelopes = orjson.loads(body)
        with stage.transaction(conn, names_) as tx:
            for view in views:
                apply_view(tx, view, envelopes)
    conn.close()


def read_frame(source: IO[bytes]) -> bytes:
    header = source.read(LENGTH.size)
    if len(header) < LENGTH.size:
        raise RuntimeError("the rebuild closed the pipe before its last batch")
    (size,) = LENGTH.unpack(header)
    return source.read(size)


def main() -> None:
    spec = orjson.loads(sys.argv[1])
    serve(spec["path"], spec["prefix"], spec["lane"], spec["views"], spec["twins"],
          sys.stdin.buffer)
    sys.stdout.write("ok\n")


if __name__ == "__main__":
    main()
