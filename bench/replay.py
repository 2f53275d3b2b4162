"""Replay: rebuild every view from N generated events, from Kafka and from the store, against
a bare kafka-python consumer that consumes and decodes (orjson) the very same topic.

    .venv/bin/python -m bench.replay [--quick] [--sizes 100000,1000000] [--views all]

Per size: records N events in a fresh application on PostgreSQL (bench/replay_city.py), relays
them to a fresh 6-partition topic with the real relay, then runs each measurement in its own
child process so that its peak resident memory (VmHWM) is its own: the bare consumer, a
rebuild from Kafka and a rebuild from the store's log for each view set. Prints events/s,
CPU seconds (its own and its children's: the other share's process, sqlite3 shells), peak
memory (its own, and its largest child's) and the ratio to the bare consumer, by wall time
and by CPU time (the machine is shared: CPU time is the steadier figure).
Prints figures, asserts nothing; the last line is BENCH_JSON (bench/README).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from typing import Any

DATABASE_URL = os.environ.get("LEDGER_BENCH_DATABASE_URL",
                              "postgresql://ledger:ledger@127.0.0.1:5432/ledger_bench")
KAFKA = os.environ.get("LEDGER_BENCH_KAFKA", "127.0.0.1:9092")
PARTITIONS = 6


def cpu_now() -> float:
    """CPU seconds of this process and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measured(events: int, started: float, cpu: float, **extra: Any) -> dict[str, Any]:
    took = time.perf_counter() - started
    return {"events": events, "seconds": round(took, 2), "rate": round(events / took),
            "cpu_s": round(cpu_now() - cpu, 2),
            "peak_mib": peak_mib(), "child_peak_mib": children_peak_mib()} | extra


def peak_mib() -> int:
    """Peak resident memory of this process, in MiB: VmHWM, since ru_maxrss of a freshly
    exec'd child inherits its parent's peak."""
    with open("/proc/self/status") as status:
        return round(next(int(line.split()[1]) for line in status
                          if line.startswith("VmHWM:")) / 1024)


def children_peak_mib() -> int:
    """Peak resident memory of the largest child (the other share, sqlite3 shells), in MiB, as
    sampled by ChildPeaks while it ran (0 if none was seen)."""
    return round(CHILD_PEAKS.peak_kib / 1024)


class ChildPeaks(threading.Thread):
    """Samples the VmHWM of this process's children every 0.25 s. ru_maxrss of a child cannot
    serve: subprocess spawns with vfork, so a child's ru_maxrss starts at its parent's peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="child-peaks")
        self.peak_kib = 0

    def run(self) -> None:
        me = str(os.getpid())
        while True:
            for stat in glob.glob("/proc/[0-9]*/stat"):
                try:
                    with open(stat) as f:
                        if f.read().rpartition(")")[2].split()[1] != me:
                            continue
                    with open(stat[:-4] + "status") as f:
                        hwm = next((int(line.split()[1]) for line in f
                                    if line.startswith("VmHWM:")), 0)
                except (OSError, IndexError, ValueError):
                    continue  # gone meanwhile
                self.peak_kib = max(self.peak_kib, hwm)
            time.sleep(0.25)


CHILD_PEAKS = ChildPeaks()


def bare(topic: str, events: int) -> dict[str, Any]:
    """Consume and decode every record of the topic with a plain kafka-python consumer."""
    import orjson
    from kafka import KafkaConsumer, TopicPartition

    from projections.kafka_feed import consumer_config

    consumer = KafkaConsumer(**consumer_config(KAFKA))
    parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(parts)
    for tp in parts:
        consumer.seek(tp, 0)
    started, cpu, seen = time.perf_counter(), cpu_now(), 0
    while seen < events:
        for messages in consumer.poll(timeout_ms=1000, max_records=5000).values():
            for m in messages:
                orjson.loads(m.value)
            seen += len(messages)
    result = measured(seen, started, cpu)
    consumer.close()
    return result


class NoView:
    """A view that stores nothing: what is left is the cost of the feed and the framework."""

    name = "none"
    tables = {"bench_none": "k TEXT PRIMARY KEY"}  # noqa: RUF012 (a class-level constant)
    indexes: list[str] = []  # noqa: RUF012

    def apply(self, tx: Any, envelope: dict[str, Any]) -> None:
        """Nothing: every event is still read, decoded, deduplicated and its offset kept."""


def rebuild(feed: str, app: str, topic: str, views: str) -> dict[str, Any]:
    """Rebuild the views into a fresh view store (its own table prefix) from one feed."""
    from ledger.build import build_ledger
    from ledger.settings import Settings
    from projections import compiled
    from projections.kafka_feed import KafkaFeed
    from projections.rebuild import rebuild as run
    from projections.storage import ViewStore
    from projections.store_feed import StoreFeed
    from projections.views import load_views

    chosen = ([NoView()] if views == "none"
              else load_views(None if views == "all" else views.split(",")))
    store = ViewStore(DATABASE_URL, f"{app.lower()}_{feed}_{uuid.uuid4().hex[:6]}")
    ledger = build_ledger(Settings(database_url=DATABASE_URL, app_name=app))
    source = KafkaFeed(KAFKA, topic) if feed == "kafka" else StoreFeed(ledger.recorder)
    conn = store.connect()
    started, cpu = time.perf_counter(), cpu_now()
    CHILD_PEAKS.start()
    report = run(store, conn, source, chosen, chosen, grace=0)
    result = measured(report.events, started, cpu, views=views, compiled=compiled.active(),
                      phases={k: round(v, 1) for k, v in report.phases.items()})
    source.close()
    for table in [*(store.physical(t, report.generation) for v in chosen for t in v.tables),
                  *store.catalog_names().values()]:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.close()
    ledger.close()
    return result


def child(*argv: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.replay", "--child", *argv],
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def prepare(events: int, tag: str) -> tuple[str, str, int]:
    """Record a city and relay it to a fresh topic; return (app, topic, events recorded)."""
    from bench.replay_city import record_city
    from ledger.build import build_ledger
    from ledger.relay import Relay, ensure_topic
    from ledger.settings import Settings

    app, topic = f"BenchReplay{tag}", f"bench.replay.{tag}"
    settings = Settings(database_url=DATABASE_URL, app_name=app, kafka_bootstrap=KAFKA,
                        kafka_topic=topic, kafka_partitions=PARTITIONS)
    ledger = build_ledger(settings)
    took = record_city(ledger, events)
    head = ledger.head_position()
    print(f"  recorded {head:,} events in {took:.1f} s", flush=True)
    ensure_topic(KAFKA, topic, PARTITIONS)
    relay, stop = Relay(settings, ledger, batch=5000, poll_interval=0.01), threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    started = time.perf_counter()
    thread.start()
    while (relay.position or 0) < head:
        time.sleep(0.01)
    stop.set()
    thread.join()
    print(f"  relayed to {topic} in {time.perf_counter() - started:.1f} s", flush=True)
    ledger.close()
    return app, topic, head


def cleanup(app: str, topic: str) -> None:
    import psycopg
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=KAFKA)
    admin.delete_topics([topic])
    admin.close()
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        names = conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                             (app.lower() + "%",)).fetchall()
        for (name,) in names:
            conn.execute(f'DROP TABLE IF EXISTS "{name}"')


def line(name: str, r: dict[str, Any], base: dict[str, Any] | None = None) -> str:
    ratio = (f"  {r['rate'] / base['rate']:4.0%} of bare, "
             f"{(r['events'] / r['cpu_s']) / (base['events'] / base['cpu_s']):4.0%} by CPU"
             if base else "")
    child = f" (child {r['child_peak_mib']:,})" if r.get("child_peak_mib") else ""
    if r.get("compiled") is False:
        child += " [views as Python: no matching compiled build]"
    phases = "  (" + ", ".join(f"{k} {v} s" for k, v in r["phases"].items()) + ")" \
        if r.get("phases") else ""
    return (f"  {name:<34} {r['events']:>9,} events {r['seconds']:>8.1f} s {r['rate']:>8,}/s "
            f"cpu {r['cpu_s']:>7.1f} s  peak {r['peak_mib']:>5,} MiB{child}{ratio}{phases}")


def figures(size: int, base: dict[str, Any], runs: dict[str, dict[str, Any]],
            result: Any) -> None:
    """Rates beside the bare consumer (by wall and by CPU time), and peak memory."""
    per_cpu = base["events"] / base["cpu_s"]
    for name, r in runs.items():
        result.add(f"{name} @{size:,}", r["rate"], "events/s", "bare consumer", base["rate"])
        result.add(f"{name} @{size:,}, per CPU second", round(r["events"] / r["cpu_s"]),
                   "events/CPU-s", "bare consumer", round(per_cpu))
        result.add(f"{name} @{size:,}, peak memory", r["peak_mib"], "MiB",
                   "bare consumer", base["peak_mib"], better="lower")
        if r.get("child_peak_mib"):
            result.add(f"{name} @{size:,}, peak memory of its largest child process",
                       r["child_peak_mib"], "MiB", "bare consumer", base["peak_mib"],
                       better="lower")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 20,000 and 40,000")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--views", action="append",
                        help="all, none (no view: the framework alone), or view names, a,b")
    parser.add_argument("--feeds", default="kafka,store")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps(bare(rest[0], int(rest[1])) if kind == "bare" else rebuild(*rest)))
        return
    from bench.common import Result

    sizes = [20_000, 40_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    command = "python -m bench.replay " + ("--quick" if args.quick else f"--sizes {args.sizes}")
    result = Result("replay", "Replay (bench/replay.py)", command,
                    params={"sizes": sizes, "views": args.views or ["all"],
                            "load_average_1min": round(os.getloadavg()[0], 1)})
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{date.today()}, load average {os.getloadavg()[0]:.1f}")
    for size in sizes:
        print(f"{size:,} events:", flush=True)
        app, topic, events = prepare(size, uuid.uuid4().hex[:8])
        try:
            base = child("bare", topic, str(events))
            print(line("bare consumer + orjson", base), flush=True)
            runs = {}
            for views in args.views or ["all"]:
                for feed in args.feeds.split(","):
                    name = f"rebuild {views} from {feed}"
                    runs[name] = child("rebuild", feed, app, topic, views)
                    print(line(name, runs[name], base), flush=True)
            figures(size, base, runs, result)
        finally:
            cleanup(app, topic)
    result.notes.append(
        "Rebuilds into PostgreSQL apply the views in a local SQLite stage and COPY the result "
        "(projections/staging.py); from 20,000 records the feed is split into shares, one "
        "per core (two here), by stream (Kafka: by partition), each read, decoded and "
        "applied to every view by a process of its own, the rebuild process taking the first "
        "(projections/shards.py); "
        "CPU seconds count all of them. Peak memory is the rebuild process's VmHWM; its "
        "largest child's is sampled from /proc.")
    result.emit()


if __name__ == "__main__":
    main()
