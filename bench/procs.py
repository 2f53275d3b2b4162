"""Long-running child processes of a benchmark: start them, stop them, measure them."""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any

from bench.common import CACHE_DIR, ROOT


def start(argv: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    """Start a child with its output in .cache/bench/NAME.log."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    log = open(CACHE_DIR / f"{name}.log", "w")  # noqa: SIM115
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def running(child: subprocess.Popen[bytes]) -> bool:
    """Is the child still running? Unlike Popen.poll(), this never reaps it: wait4 must."""
    return os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


def terminate(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM a child that still runs, leaving it to be reaped by `wait`."""
    if running(child):
        child.send_signal(signal.SIGTERM)


def stop(child: subprocess.Popen[bytes]) -> dict[str, float]:
    """SIGTERM a child (by its pid) and reap it; its CPU seconds and peak RSS."""
    terminate(child)
    return wait(child, None)


def wait(child: subprocess.Popen[bytes], name: str | None) -> dict[str, float]:
    """Reap a child with wait4; a named child that failed stops the benchmark."""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if name and child.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {child.returncode}; "
                         f"see .cache/bench/{name}.log")
    return measured(usage)


def measured(usage: Any) -> dict[str, float]:
    return {"cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_mb": usage.ru_maxrss / 1024}
