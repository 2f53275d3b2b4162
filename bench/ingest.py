"""Ingest: events/s importing ~100,000 generated events into PostgreSQL, in bulk and one by one.
The same file also goes through both doors a department has: `credit-ledger import` and an
upload to `POST /v1/imports` of a served ledger (bench/ingest_upload.py).

    .venv/bin/python -m bench.ingest [--quick] [--events 100000] [--slow-events 2000] [--profile]

All paths run on fresh applications (tables) of the bench database, through the same
CreditLedger and the same aggregate methods: the importer (many subjects per save, built while
the previous save is inserted) in one process and with subjects sharded over several
processes (the CLI's way for big files), against one get + one save per row, as the HTTP API
does. To tell what limits the bulk path it also times its parts alone, on the same events:
deciding the rows with no save, and the importer's insert of already encoded events. Prints
figures and a BENCH_JSON line; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.persistence import StoredEvent

from bench.common import DATABASE_URL, Result, drop_app, tag
from bench.ingest_api import OneByOne
from bench.ingest_upload import lines as door_lines
from bench.ingest_upload import measure_cli, measure_upload
from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.generator.city import generate
from ledger.importing.apply import Context
from ledger.importing.importer import (
    DEFAULT_CAP,
    Importer,
    ImportReport,
    batched,
    fewer_collections,
)
from ledger.importing.parallel import import_parallel
from ledger.importing.rows import parse_record
from ledger.importing.source import Source
from ledger.settings import Settings
from ledger.store.recording import insert_stored

KEY = b"bench-pseudonym-key"
RECORDS_PER_SUBJECT = 5.23  # measured on generated cities; events are ~0.1 % more


def main() -> None:
    args = parse_args()
    path = city(args.events, args.seed)
    result = Result("ingest", "Ingest (bench/ingest.py)", command(args))
    apps: list[str] = []
    load_before = load_average()
    try:
        bulk = measure_bulk(path, args.cap, args.profile, apps)
        shared = measure_parallel(path, args.workers, apps)
        slow = measure_one_by_one(path, args.slow_events, apps)
        build = measure_build_only(path, apps)
        insert = measure_insert_only(bulk["app"], args.cap, apps)
        cli, upload = measure_cli(path, apps), measure_upload(path, apps)  # the two doors
    finally:
        for app in apps:
            drop_app(app)
    best = max(bulk, shared, key=lambda r: r["events_per_s"])
    ratio = best["events_per_s"] / slow["events_per_s"]
    print(f"bulk import     {bulk['events']:>8,} events  {bulk['seconds']:7.1f} s  "
          f"{bulk['events_per_s']:>8,.0f} events/s  (1 process, {bulk['saves']} saves of <= "
          f"{args.cap}, client CPU {bulk['cpu_us_per_event']:.0f} us/event)")
    print(f"bulk import     {shared['events']:>8,} events  {shared['seconds']:7.1f} s  "
          f"{shared['events_per_s']:>8,.0f} events/s  ({args.workers} processes, "
          f"{shared['saves']} saves, starting them included; CPU of all "
          f"{shared['cpu_us_per_event']:.0f} us/event)")
    print(f"one by one      {slow['events']:>8,} events  {slow['seconds']:7.1f} s  "
          f"{slow['events_per_s']:>8,.0f} events/s  (one get + one save per row)")
    print(f"ratio           {ratio:,.1f}x")
    print(f"decide only     {build['events_per_s']:>8,.0f} events/s  (parse, validate, "
          f"aggregates, hashes; no save; CPU {build['cpu_us_per_event']:.0f} us/event)")
    print(f"insert only     {insert['events_per_s']:>8,.0f} events/s  (insert_stored "
          f"of encoded events, {args.cap} per call; client CPU "
          f"{insert['cpu_us_per_event']:.0f} us/event)")
    for line in door_lines(cli, upload):
        print(line)
    print(f"machine         {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, load average before {load_before}, after "
          f"{load_average()}")
    result.add("bulk import, 1 process", bulk["events_per_s"], "events/s",
               "one save per event", slow["events_per_s"])
    result.add(f"bulk import, {args.workers} processes", shared["events_per_s"], "events/s",
               "one save per event", slow["events_per_s"])
    result.add("bulk import, 1 process", bulk["events_per_s"], "events/s",
               "recorder insert alone", insert["events_per_s"])
    result.add("decide only (no save)", build["events_per_s"], "events/s")
    result.add("recorder insert only", insert["events_per_s"], "events/s")
    result.add("HTTP upload, POST to done", upload["rows_per_s"], "rows/s",
               "CLI import, process start-up included", cli["rows_per_s"])
    result.params = {"events": bulk["events"], "slow_events": slow["events"], "cap": args.cap,
                     "workers": args.workers, "cpus": os.cpu_count(),
                     "python": platform.python_version(), "load_before": load_before,
                     "load_after": load_average()}
    result.series = {"bulk": bulk, "parallel": shared, "one_by_one": slow,
                     "decide_only": build, "insert_only": insert, "cli": cli,
                     "upload": upload}
    result.notes = notes(bulk, shared, slow, build, insert, args.workers)
    for note in result.notes:
        print(note)
    result.emit()


def notes(bulk: dict[str, Any], shared: dict[str, Any], slow: dict[str, Any],
          build: dict[str, Any], insert: dict[str, Any], workers: int) -> list[str]:
    """What the figures say, worked out from this run's own numbers."""
    best = max(bulk["events_per_s"], shared["events_per_s"])
    # Deciding is this process's CPU alone: its CPU time per event says it whatever else
    # runs on the machine. The insert is mostly the server's: its wall time per event.
    decide_us, insert_us = build["cpu_us_per_event"], 1e6 / insert["events_per_s"]
    serial = 1e6 / (decide_us + insert_us)
    return [
        f"Goal: at least 20,000 events/s and 50 times the one-by-one path. This run: "
        f"{best:,.0f} events/s at best, {best / slow['events_per_s']:,.0f} times one save per "
        f"row ({slow['events_per_s']:,.0f} events/s).",
        f"One process: deciding the rows alone (JSON, the API's validation, the aggregates, "
        f"the SHA-256 chain) costs {decide_us:.0f} us of CPU per event and the importer's insert "
        f"alone {insert_us:.0f} us (psycopg sends four arrays of plain values, in binary, "
        f"and the server inserts them under the table lock): {serial:,.0f} events/s one after "
        f"the other. "
        f"The import got {bulk['events_per_s']:,.0f} events/s with "
        f"{bulk['cpu_us_per_event']:.0f} us of client CPU per event: both halves hold the "
        f"interpreter's lock, so the writer thread hides only the server's share.",
        f"{workers} processes (subjects sharded, each deciding and saving its share; inserts "
        f"still one at a time under the table lock) got {shared['events_per_s']:,.0f} events/s "
        f"on {os.cpu_count()} CPUs shared with PostgreSQL, with {shared['cpu_us_per_event']:.0f}"
        f" us of CPU per event in all (its processes and their fork server); starting them "
        f"(the server imports the modules once, about half a second) is included, which "
        f"outweighs the gain on small files.",
    ]


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--slow-events", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cap", type=int, default=DEFAULT_CAP)
    parser.add_argument("--workers", type=int, default=max(2, min(os.cpu_count() or 1, 4)),
                        help="processes for the sharded import")
    parser.add_argument("--profile", action="store_true", help="cProfile the bulk import")
    parser.add_argument("--quick", action="store_true",
                        help="20,000 events and 500 one by one (make bench)")
    args = parser.parse_args()
    if args.quick:
        args.events, args.slow_events = 20_000, 500
    return args


def command(args: argparse.Namespace) -> str:
    return (f".venv/bin/python -m bench.ingest --events {args.events} "
            f"--slow-events {args.slow_events} --cap {args.cap} --workers {args.workers}")


def city(events: int, seed: int) -> Path:
    """A generated city of about `events` records, as an NDJSON file."""
    path = Path(tempfile.gettempdir()) / f"bench-ingest-{events}-s{seed}.ndjson"
    if not path.exists():
        subjects = round(events / RECORDS_PER_SUBJECT)
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in generate(subjects, seed)))
    return path


def fresh(apps: list[str]) -> CreditLedger:
    apps.append(f"BenchIngest{tag()}")
    return build_ledger(Settings(database_url=DATABASE_URL, app_name=apps[-1]))


class Clock:
    """Wall time and CPU time of this process and its finished children, from now."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def rate(self, events: int) -> dict[str, Any]:
        seconds, cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu
        return {"events": events, "seconds": round(seconds, 3),
                "events_per_s": events / seconds if seconds else 0.0,
                "cpu_us_per_event": cpu / events * 1e6 if events else 0.0}


def cpu_seconds() -> float:
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure_bulk(path: Path, cap: int, profile: bool, apps: list[str]) -> dict[str, Any]:
    """The importer in this process: many subjects per save, a writer thread."""
    ledger = fresh(apps)
    profiler = cProfile.Profile() if profile else None
    clock = Clock()
    if profiler:
        profiler.enable()
    report = Importer(ledger, key=KEY, cap=cap).run(Source(path))
    if profiler:
        profiler.disable()
    figures = clock.rate(report.events) | {"saves": report.saves, "app": apps[-1]}
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    assert not report.rejected, report.rejected[:5]
    ledger.close()
    return figures


def measure_parallel(path: Path, workers: int, apps: list[str]) -> dict[str, Any]:
    """The CLI's way for big files: subjects sharded over processes, each saving its share."""
    fresh(apps).close()  # the tables exist before the processes start, as in the CLI
    settings = Settings(database_url=DATABASE_URL, app_name=apps[-1],
                        pseudonym_key=KEY.decode())
    clock, server = Clock(), forkserver_cpu()
    report = import_parallel(settings, path, workers=workers)
    assert not report.rejected, report.rejected[:5]
    # The workers fork from multiprocessing's fork server: neither they nor the server (its
    # imports, once) are this process's finished children. Their CPU is counted apart.
    clock.cpu -= report.cpu_seconds + forkserver_cpu() - server
    return clock.rate(report.events) | {"saves": report.saves}


def forkserver_cpu() -> float:
    """CPU seconds of this process's multiprocessing fork server so far (0 if none yet)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def measure_one_by_one(path: Path, events: int, apps: list[str]) -> dict[str, Any]:
    """The API's way: each row is one named use case (one get, one decision, one save)."""
    ledger = fresh(apps)
    rows = [parse_record(r, n, None, KEY) for n, r in Source(path)]
    # The file starts with authorities and persons; sample from the first organisation on.
    first = next(i for i, r in enumerate(rows) if r.register and r.register.kind == "enterprise")
    rows = rows[first:first + events]
    ctx, api = Context(ledger.clock(), ledger.calendar, "bench"), OneByOne(ledger)
    clock = Clock()
    for row in rows:
        api.record(row, ctx.by(row))
    figures = clock.rate(ledger.head_position())
    ledger.close()
    return figures


def measure_build_only(path: Path, apps: list[str]) -> dict[str, Any]:
    """The importer with saves that go nowhere: parsing, validation, aggregates and hashes."""
    ledger = fresh(apps)
    importer = Importer(ledger, key=KEY)
    ctx = Context(ledger.clock(), ledger.calendar, "bench")
    events, clock = 0, Clock()
    with fewer_collections():  # as the importer does
        for chunk in batched(Source(path), importer.chunk_rows):
            decided = importer.decide(chunk, ctx, ImportReport())
            events += sum(len(s.collect_events()) for s in decided)
    figures = clock.rate(events)
    ledger.close()
    return figures


def measure_insert_only(source_app: str, cap: int, apps: list[str]) -> dict[str, Any]:
    """The importer's insert alone, of the bulk run's events already encoded: its floor."""
    source = build_ledger(Settings(database_url=DATABASE_URL, app_name=source_app))
    stored = [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in
              source.recorder.select_notifications(start=1, limit=10_000_000)]
    source.close()
    sink = fresh(apps)
    clock = Clock()
    with fewer_collections():
        for start in range(0, len(stored), cap):
            insert_stored(sink.recorder, stored[start:start + cap])  # as CreditLedger.record
    figures = clock.rate(len(stored))
    sink.close()
    return figures


if __name__ == "__main__":
    main()
