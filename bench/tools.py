"""The outside load generators: wrk (Debian) and bench/loadgen (Go, fixed-rate open loop)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.common import ROOT

LOADGEN_SRC = ROOT / "bench" / "loadgen"
LOADGEN_BIN = ROOT / ".cache" / "bench" / "loadgen"
WRK_SCRIPT = ROOT / "bench" / "loadgen" / "paths.lua"


def go() -> str:
    found = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(found).exists():
        raise SystemExit("the API benchmark needs Go (go on PATH or /usr/local/go) for "
                         "bench/loadgen")
    return found


def loadgen() -> Path:
    """Build bench/loadgen if its binary is missing or older than its source."""
    newest = max(p.stat().st_mtime for p in LOADGEN_SRC.glob("*.go"))
    if not LOADGEN_BIN.exists() or LOADGEN_BIN.stat().st_mtime < newest:
        LOADGEN_BIN.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([go(), "build", "-o", str(LOADGEN_BIN), "."], cwd=LOADGEN_SRC,
                       check=True, env=os.environ | {"CGO_ENABLED": "0"})
    return LOADGEN_BIN


def wrk() -> str:
    out = subprocess.run([str(ROOT / "scripts" / "ensure-wrk")], check=True, text=True,
                         stdout=subprocess.PIPE)
    return out.stdout.strip().splitlines()[-1]


def fixed_rate(urls: Path, rate: float, seconds: float, *, connections: int = 32,
               warmup: float = 1.0) -> dict[str, Any]:
    """Open-loop GETs at `rate` per second; latency percentiles from the scheduled times."""
    out = subprocess.run([str(loadgen()), "-urls", str(urls), "-rate", str(rate),
                          "-duration", f"{seconds}s", "-warmup", f"{warmup}s",
                          "-connections", str(connections)],
                         check=True, text=True, stdout=subprocess.PIPE)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def saturate(base_url: str, urls: Path, seconds: float, *, connections: int = 16,
             threads: int = 1) -> dict[str, Any]:
    """Closed-loop wrk at `connections` for `seconds`: the most requests per second."""
    out = subprocess.run([wrk(), f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s",
                          "--latency", "-s", str(WRK_SCRIPT), base_url],
                         check=True, text=True, stdout=subprocess.PIPE,
                         env=os.environ | {"WRK_URLS": str(urls)})
    return parse_wrk(out.stdout)


def parse_wrk(text: str) -> dict[str, Any]:
    result: dict[str, Any] = {"errors": 0}
    for line in text.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(words[1])
        elif words[:1] in (["50%"], ["99%"]):
            result[f"p{words[0][:-1]}_ms"] = _ms(words[1])
        elif line.strip().startswith("Non-2xx"):
            result["errors"] += int(words[-1])
        elif line.strip().startswith("Socket errors"):
            result["errors"] += sum(int(w.strip(",")) for w in words[3::2])
        elif "requests in" in line:
            result["requests"] = int(words[0])
    return result


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)
