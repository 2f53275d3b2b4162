"""What the figures were measured on: cores, CPU, memory, Python, PostgreSQL, Kafka, load."""

from __future__ import annotations

import os
import platform
import subprocess
from typing import Any

from bench.common import DATABASE_URL, ROOT


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def postgres_version() -> str:
    try:
        import psycopg

        with psycopg.connect(DATABASE_URL, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"
    except Exception as e:  # a missing server is reported, the benchmarks then fail loudly
        return f"unreachable ({type(e).__name__})"


def kafka_version() -> str:
    jars = sorted((ROOT / ".cache" / "kafka" / "lib").glob("kafka-clients-*.jar"))
    return jars[-1].stem.removeprefix("kafka-clients-") if jars else "unknown"


def git_revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, text=True, capture_output=True,
                              check=False).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if dirty else "")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def describe() -> dict[str, Any]:
    import kafka

    return {"cores (nproc)": os.cpu_count(), "CPU": cpu_model(),
            "RAM": f"{memory_gib():.1f} GiB", "OS": f"{platform.system()} {platform.release()}",
            "Python": platform.python_version(), "PostgreSQL": postgres_version(),
            "Kafka broker": kafka_version(), "kafka-python": kafka.__version__,
            "commit": git_revision()}
