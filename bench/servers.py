"""Start and stop a uvicorn server for a benchmark, in its own process group."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import BIN, ROOT

# What `credit-ledger serve` picks with uvicorn[standard] installed; explicit so that a figure
# never depends on what happens to be installed. h11 + asyncio served a bare endpoint about
# ten times slower here.
STACK = ("--http", "httptools", "--loop", "uvloop")
PLAIN = ("--http", "h11", "--loop", "asyncio")  # what uvicorn falls back to without the extra
SERVERS: dict[str, int] = {}  # base URL -> the server's process group (its master's pid)
TICK = os.sysconf("SC_CLK_TCK")


@contextmanager
def uvicorn(factory: str, env: dict[str, str], *, port: int, workers: int,
            probe: str = "/healthz", stack: tuple[str, ...] = STACK) -> Iterator[str]:
    """Serve `factory` (module:function) with `workers` processes; yield the base URL."""
    argv = [str(BIN / "uvicorn"), factory, "--factory", "--host", "127.0.0.1", "--port",
            str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
            *stack]
    (ROOT / ".cache" / "bench").mkdir(parents=True, exist_ok=True)
    log = open(ROOT / ".cache" / "bench" / f"server-{port}.log", "w")  # noqa: SIM115
    child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    SERVERS[base] = child.pid
    try:
        wait_until_up(base + probe, child)
        warm_up(base + probe)
        yield base
    finally:
        SERVERS.pop(base, None)
        stop(child)
        log.close()


def wait_until_up(url: str, child: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"the server exited with {child.returncode}; see .cache/bench/")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def warm_up(url: str, requests: int = 50) -> None:
    """A few sequential requests, so that every worker is past its start-up."""
    time.sleep(1.0)
    for _ in range(requests):
        get_json(url)


def stop(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's own process group (master and workers), then SIGKILL if stuck."""
    if child.poll() is not None:
        return
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def get_json(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def proc_cpu(pid: str) -> tuple[int, float] | None:
    """(process group, CPU seconds so far) of a live process, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:  # gone meanwhile
        return None
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICK


def server_cpu(base: str) -> float:
    """CPU seconds used so far by the server at `base`: its master and its workers."""
    group = SERVERS[base]
    return sum(found[1] for pid in os.listdir("/proc") if pid.isdigit()
               and (found := proc_cpu(pid)) is not None and found[0] == group)


def backends_cpu(url: str, application_name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend (same machine) of one application name."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (application_name,))]
    return {pid: found[1] for pid in pids if (found := proc_cpu(str(pid))) is not None}
