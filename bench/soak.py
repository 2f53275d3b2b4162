"""Concurrency soak: clients in threads mixing public reads and provider writes on a served ledger.

    PYTHONPATH=. .venv/bin/python -m bench.soak [--backend sqlite|postgresql|both]
                                                [--clients 16] [--seconds 10]

Starts `credit-ledger serve` (a real uvicorn process over a demo city, embedded SQLite or
PostgreSQL), then every client loops over the red/black lists, repair ratios, indicators, a
name search, profiles and scores; a quarter of the clients also register subjects, record
penalties and read them back with `min_position`. Prints one line per backend: clients,
seconds, requests, responses >= 500 and dropped connections. Asserts nothing; the e2e test
tests/e2e/test_soak.py runs the same soak and asserts 0 and 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ledger.domain.uscc import make_uscc

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL",
                        "postgresql://ledger:ledger@127.0.0.1:5432/ledger_test")
TAX = make_uscc("1", "1", "211100", "00001312")
TOKEN = "soak-tax"
READS = ("/v1/lists/black", "/v1/lists/red", "/v1/ratios/repair", "/v1/indicators",
         "/v1/publicity/timeliness")


@dataclass
class Soak:
    """What the clients saw: responses by status, dropped connections, and the slowest call."""

    backend: str
    clients: int
    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)
    dropped: int = 0
    slowest_ms: float = 0.0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.dropped

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def line(self) -> str:
        return (f"soak {self.backend}: clients={self.clients} seconds={self.seconds:.0f} "
                f"requests={self.requests} 5xx={self.server_errors} dropped={self.dropped} "
                f"slowest_ms={self.slowest_ms:.0f} statuses={dict(sorted(self.statuses.items()))}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(database_url: str, workdir: Path, *, subjects: int = 60,
           tokens: dict[str, dict[str, str]] | None = None) -> Iterator[str]:
    """`credit-ledger serve` on a fresh application in `database_url`; yields its base URL.
    `tokens` adds callers to the provider the soak writes as (token → role, authority, actor).
    The server's output (uvicorn's access log too) goes to `workdir/serve-<port>.log`."""
    book = workdir / "tokens.json"
    book.write_text(json.dumps({TOKEN: {"role": "provider", "authority": TAX,
                                        "actor": "soak"}, **(tokens or {})}))
    port = free_port()
    env = dict(os.environ, LEDGER_DATABASE_URL=database_url, LEDGER_TOKENS_FILE=str(book),
               LEDGER_APP_NAME="soak" + uuid.uuid4().hex[:10], LEDGER_ENV="test",
               LEDGER_DEMO_SUBJECTS=str(subjects), PYTHONPATH=str(ROOT))
    env.pop("LEDGER_KAFKA_BOOTSTRAP", None)
    with (workdir / f"serve-{port}.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                 "--no-expire"],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/readyz", timeout=5).json().get("ready"):
                    break
            except (httpx.TransportError, ValueError):
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"the server was not ready in time; see {log.name}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _known(base: str) -> tuple[list[str], list[str]]:
    """Codes and name fragments to read: the demo city's listed subjects, once projected."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        codes = []
        for name in ("black", "red"):
            answer = httpx.get(f"{base}/v1/lists/{name}", params={"page_size": 100})
            codes += [i["code"] for i in answer.json().get("items", [])]
        if codes:
            names = [httpx.get(f"{base}/v1/subjects/{c}").json()["name"][:2] for c in codes[:5]]
            return codes, names
        time.sleep(0.5)  # the views are not built yet
    raise RuntimeError("the demo city never reached the red or black list")


def _client(base: str, soak: Soak, until: float, seed: int, writes: bool) -> None:
    rng = random.Random(seed)
    codes, names = soak_targets[base]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, timeout=30) as http:
        while time.monotonic() < until:
            calls: list[tuple[str, str, dict[str, object] | None, dict[str, object]]] = []
            pick = rng.random()
            if writes and pick < 0.3:
                code = make_uscc("9", "1", "211100", uuid.uuid4().hex[:8].upper())
                calls.append(("POST", "/v1/subjects", {"code": code, "name": "盘锦浸泡测试有限公司",
                                                       "kind": "enterprise"}, {}))
            elif pick < 0.5:
                calls.append(("GET", f"/v1/subjects/{rng.choice(codes)}", None, {}))
            elif pick < 0.6:
                calls.append(("GET", f"/v1/subjects/{rng.choice(codes)}/score", None, {}))
            elif pick < 0.75:
                calls.append(("GET", "/v1/subjects", None, {"q": rng.choice(names)}))
            else:
                calls.append(("GET", rng.choice(READS), None, {}))
            for method, path, body, params in calls:
                answer = _call(http, soak, method, path, body, params, auth)
                if answer is not None and method == "POST" and answer.status_code == 201:
                    # Read-your-writes: the new subject's profile at the write's position.
                    _call(http, soak, "GET", f"{path}/{answer.json()['subject']}", None,
                          {"min_position": answer.json()["position"]}, auth)


def _call(http: httpx.Client, soak: Soak, method: str, path: str, body: object,
          params: dict[str, object], headers: dict[str, str]) -> httpx.Response | None:
    started = time.monotonic()
    try:
        answer = http.request(method, path, json=body, params=params, headers=headers)
    except httpx.TransportError as e:
        with soak.lock:
            soak.dropped += 1
            soak.failures.append(f"{method} {path}: {type(e).__name__}: {e}")
        return None
    took = (time.monotonic() - started) * 1000
    with soak.lock:
        soak.statuses[answer.status_code] += 1
        soak.slowest_ms = max(soak.slowest_ms, took)
        if answer.status_code >= 500:
            soak.failures.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
    return answer


soak_targets: dict[str, tuple[list[str], list[str]]] = {}


def soak(base: str, backend: str, *, clients: int = 16, seconds: float = 10.0) -> Soak:
    """Run `clients` threads for `seconds` against the server at `base`."""
    soak_targets[base] = _known(base)
    result = Soak(backend, clients, seconds)
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(base, result, until, i, i % 4 == 0))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10.0)
    args = p.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/soak.sqlite3" if backend == "sqlite" else PG_URL
            with served(url, Path(tmp)) as base:
                result = soak(base, backend, clients=args.clients, seconds=args.seconds)
            print(result.line(), flush=True)
            for failure in result.failures[:5]:
                print("  ", failure)


if __name__ == "__main__":
    main()
