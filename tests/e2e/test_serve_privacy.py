"""A careless caller puts an ID number in a URL: the server's logs and answers never repeat it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from ledger.domain.resident_id import make_resident_id

NUMBER = make_resident_id("211102", date(1979, 11, 30), "041")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_logs_and_answers_mask_an_id_number_sent_in_a_url(tmp_path: Path):
    port = _free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, LEDGER_DATABASE_URL=f"sqlite:///{tmp_path / 'l.sqlite3'}",
               LEDGER_DEMO="0")
    env.pop("LEDGER_KAFKA_BOOTSTRAP", None)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                 "--no-expire"],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        # The person is looked up by ID number instead of pseudonym: unknown, and not echoed.
        answer = httpx.get(f"{base}/v1/subjects/{NUMBER}")
        assert answer.status_code == 404
        assert NUMBER not in answer.text
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    logged = log.read_text()
    assert "GET /v1/subjects/" in logged  # the access log is there ...
    assert NUMBER not in logged  # ... with the number masked
    assert NUMBER[:3] + "*" * 14 + NUMBER[-1] in logged
