"""Helpers the benchmarks share: settings, the BENCH_JSON line, timed child processes, cleanup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("LEDGER_BENCH_DATABASE_URL",
                              "postgresql://ledger:ledger@127.0.0.1:5432/ledger_bench")
KAFKA = os.environ.get("LEDGER_BENCH_KAFKA", "127.0.0.1:9092")
AUTHORITY = "11211100012345671L"  # the generated city's registrar (ledger.generator.city)
MARKER = "BENCH_JSON "
CACHE_DIR = ROOT / ".cache" / "bench"


def tag() -> str:
    """A short unique suffix for app (table) and topic names of one run."""
    return uuid.uuid4().hex[:8]


@dataclass
class Figure:
    """One measured figure beside the bare baseline measured in the same run."""

    name: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    better: str = "higher"  # "higher" for rates, "lower" for latencies and costs

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value or self.value is None:
            return None
        return self.value / self.baseline_value


@dataclass
class Result:
    name: str
    title: str
    command: str
    figures: list[Figure] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    series: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> Figure:
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure

    def emit(self) -> None:
        """Print the result as the last stdout line: `BENCH_JSON {...}`."""
        body = asdict(self)
        for out, figure in zip(body["figures"], self.figures, strict=True):
            out["ratio"] = figure.ratio
        print(MARKER + json.dumps(body, ensure_ascii=False, default=str), flush=True)


@dataclass
class Stage:
    """A finished child process: wall time, CPU time and peak memory."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_stage(argv: list[str], env: dict[str, str] | None = None, *,
              timeout: float = 900) -> Stage:
    """Run a child to completion; wait4 gives its own CPU time and peak RSS."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        took = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Stage(took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                     child.returncode, out.read(), err.read())


def ledger_env(app: str, *, kafka: bool, topic: str | None = None,
               **extra: str) -> dict[str, str]:
    """The environment of a credit-ledger child process on the bench database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env |= {"LEDGER_DATABASE_URL": DATABASE_URL, "LEDGER_APP_NAME": app, "LEDGER_DEMO": "0",
            "PYTHONPATH": str(ROOT)}
    if kafka:
        env |= {"LEDGER_KAFKA_BOOTSTRAP": KAFKA, "LEDGER_KAFKA_TOPIC": topic or f"bench.{app}"}
    return env | extra


def credit_ledger(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


def app_tables(app: str, url: str = DATABASE_URL) -> list[str]:
    """Every table of a bench application (events, positions and views)."""
    import psycopg

    from projections.storage import table_prefix

    prefix = table_prefix(app)
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
            "tablename LIKE %s", (prefix.replace("_", r"\_") + r"\_%",))]


def drop_app(app: str, url: str = DATABASE_URL) -> None:
    """Drop every table of a bench application."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for name in app_tables(app, url):
            conn.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')


def settle_app(app: str, url: str = DATABASE_URL) -> None:
    """VACUUM (ANALYZE) an application's tables, as autovacuum would after its writes.

    Freshly written rows cost their first readers extra (hint bits, no visibility map for
    index-only scans), and autovacuum may start in the middle of a measurement: a read
    benchmark run right after the writes measures the settled tables instead.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for name in app_tables(app, url):
            conn.execute(f'VACUUM (ANALYZE) "{name}"')


def delete_topics(*topics: str) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=KAFKA, client_id="credit-ledger-bench")
    try:
        present = set(admin.list_topics())
        gone = [t for t in topics if t in present]
        if gone:
            admin.delete_topics(gone)
    finally:
        admin.close()


def quiet_kafka_logs() -> None:
    import logging

    logging.getLogger("kafka").setLevel(logging.ERROR)
