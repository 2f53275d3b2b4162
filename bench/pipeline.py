"""End to end: a generated city imported, relayed to Kafka, projected, visible through the API.

    .venv/bin/python -m bench.pipeline [--quick] [--subjects 10000] [--keep]

Runs the real processes side by side, as a deployment would: `credit-ledger relay`,
`credit-ledger project` (Kafka feed) and the API (uvicorn), then `credit-ledger import` of
the city. The clock runs from the start of the import until the API answers the last
subject's profile with `min_position` = the store's head (read-your-writes: the views have
applied every event). Baseline: the same envelopes through PostgreSQL and Kafka with no
ledger in between (bench/barepipe.py). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import orjson

from bench import barepipe, dataset
from bench.common import (
    AUTHORITY,
    CACHE_DIR,
    Result,
    credit_ledger,
    delete_topics,
    drop_app,
    ledger_env,
    quiet_kafka_logs,
    tag,
)
from bench.procs import start, stop, terminate, wait
from bench.servers import uvicorn


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the size make bench uses")
    p.add_argument("--subjects", type=int, default=10_000)
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--port", type=int, default=18090)
    p.add_argument("--keep", action="store_true", help="keep the application's tables "
                   "(its name is in the BENCH_JSON params) and the topic")
    args = p.parse_args(argv)
    if args.quick:
        args.subjects = 5000
    return args


def last_subject(path: Any) -> str:
    """The subject of the file's last record: an organisation (persons come first)."""
    with open(path, "rb") as f:
        f.seek(max(0, f.seek(0, 2) - 4096))
        record = orjson.loads(f.read().splitlines()[-1])
    return str(record.get("subject") or record["code"])


def visible(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def head_of(app: str) -> int:
    import psycopg

    from bench.common import DATABASE_URL
    from projections.storage import table_prefix

    with psycopg.connect(DATABASE_URL) as conn:
        table = f"{table_prefix(app)}_events"
        row = conn.execute(f"SELECT max(notification_id) FROM {table}").fetchone()
    return int(row[0] or 0) if row else 0


def relayed(topic: str) -> int:
    from kafka import KafkaConsumer, TopicPartition

    from bench.common import KAFKA

    consumer = KafkaConsumer(bootstrap_servers=KAFKA, client_id="credit-ledger-bench")
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(parts).values()) if parts else 0
    finally:
        consumer.close()


def run(args: argparse.Namespace, app: str, topic: str) -> dict[str, Any]:
    city = dataset.city_file(args.subjects)
    env = ledger_env(app, kafka=True, topic=topic,
                     LEDGER_KAFKA_PARTITIONS=str(args.partitions))
    relay = start(credit_ledger("relay"), env, "pipeline-relay")
    project = None
    try:
        time.sleep(3)  # the relay creates the topic the projector reads
        project = start(credit_ledger("project"), env, "pipeline-project")
        timeline, used, head = follow(args, app, topic, city, env)
    finally:
        for child in (relay, project):
            if child is not None:
                terminate(child)
    assert project is not None
    used |= {"relay": stop(relay), "project": stop(project)}
    return {"events": head, "timeline": timeline, "used": used}


def follow(args: argparse.Namespace, app: str, topic: str, city: Any, env: dict[str, str],
           ) -> tuple[dict[str, float], dict[str, Any], int]:
    """Import the city; the times until imported, relayed and visible in the API."""
    timeline: dict[str, float] = {}
    with uvicorn("bench.served:create", env, port=args.port, workers=1) as base:
        started = time.perf_counter()
        importer = start(credit_ledger("import", str(city), "--authority", AUTHORITY), env,
                         "pipeline-import")
        used = {"import": wait(importer, None)}
        said = (CACHE_DIR / "pipeline-import.log").read_text()
        used["import"]["rejected_rows"] = dataset.rejected_rows(said)
        if importer.returncode != 0 and not used["import"]["rejected_rows"]:
            raise SystemExit("the import failed; see .cache/bench/pipeline-import.log")
        timeline["import"] = time.perf_counter() - started
        head = head_of(app)
        url = f"{base}/v1/subjects/{last_subject(city)}?min_position={head}"
        while "visible" not in timeline:
            if "relay" not in timeline and relayed(topic) >= head:
                timeline["relay"] = time.perf_counter() - started
            if visible(url):
                timeline["visible"] = time.perf_counter() - started
            if time.perf_counter() - started > 1800:
                raise SystemExit("the last event did not become visible within 30 minutes")
    timeline.setdefault("relay", timeline["visible"])
    return timeline, used, head


def main(argv: list[str] | None = None) -> None:
    quiet_kafka_logs()
    args = parse(argv)
    name = f"BenchPipe{tag()}"
    topic = f"bench.pipe.{name.lower()}"  # as in report()
    kept = False
    try:
        got = run(args, name, topic)
        messages = barepipe.consume_all(topic)
        bare = barepipe.run(messages, name.lower(), args.partitions)
        kept = args.keep
    finally:
        if not kept:  # a failed run is never kept: no one would know its name to drop it
            drop_app(name)
            delete_topics(topic)
    report(args, name, got, bare).emit()


def report(args: argparse.Namespace, app: str, got: dict[str, Any],
           bare: dict[str, float]) -> Result:
    events, timeline, used = got["events"], got["timeline"], got["used"]
    result = Result("pipeline", "End to end: import → relay → Kafka → projections → API",
                    "python -m bench.pipeline" + (" --quick" if args.quick else ""),
                    params={"subjects": args.subjects, "events": events, "app": app,
                            "topic": f"bench.pipe.{app.lower()}",
                            "kept": args.keep, "partitions": args.partitions})
    bare_rate = events / bare["total"]
    result.add("events/s end to end (import start → last event visible in the API)",
               events / timeline["visible"], "events/s", "bare pipe", bare_rate)
    result.add("time until the last event is visible", timeline["visible"], "s", "bare pipe",
               bare["total"], better="lower")
    for stage in ("import", "relay"):
        result.add(f"{stage} finished after", timeline[stage], "s", better="lower")
    if used["import"].get("rejected_rows"):
        result.notes.append(f"The importer rejected {used['import']['rejected_rows']} of the "
                            "generated rows (see the log); the figures count what it stored.")
    for stage, figures in used.items():
        result.add(f"{stage}: CPU per 1,000 events", 1000 * figures["cpu_seconds"] / events,
                   "CPU s", better="lower")
        result.add(f"{stage}: peak RSS", figures["max_rss_mb"], "MB", better="lower")
    result.series = {"timeline": timeline, "bare_legs": bare, "used": used}
    result.notes.append("Bare pipe legs (s): " + ", ".join(f"{k} {v:.2f}"
                                                            for k, v in bare.items()))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
