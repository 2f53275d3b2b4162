"""`credit-ledger serve` with uvicorn's own access log: a person looks up their record by ID
number and the number is in no log line, no Location and no page — only in the POST body."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.portal_story import PERSON, PERSON_ID, tokens_file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_id_lookup_leaves_no_number_in_the_access_log(tmp_path: Path) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    env = dict(os.environ, LEDGER_DATABASE_URL=f"sqlite:///{tmp_path / 'l.sqlite3'}",
               LEDGER_DEMO="0", LEDGER_TOKENS_FILE=str(tokens_file(tmp_path)),
               PYTHONPATH=str(Path.cwd()))
    env.pop("LEDGER_KAFKA_BOOTSTRAP", None)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                 "--no-expire", "--no-checkpoint"],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
    answers = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        # The person is registered (the number in the body, as the API asks) ...
        made = httpx.post(f"{base}/v1/subjects", headers={"Authorization": "Bearer tok-market"},
                          json={"code": PERSON_ID, "name": "李四", "kind": "natural_person"})
        assert made.status_code == 201, made.text
        position = made.json()["position"]
        for _ in range(100):
            if httpx.get(f"{base}/v1/lists/red", params={"min_position": position}
                         ).status_code == 200:
                break
        # ... and finds their page by typing the number into the form.
        found = httpx.post(f"{base}/lookup", data={"id_number": PERSON_ID})
        assert found.status_code == 303
        assert found.headers["location"] == f"/subjects/{PERSON.code}"
        page = httpx.get(f"{base}{found.headers['location']}")
        assert page.status_code == 200 and "李四" in page.text
        answers = [found, page, httpx.post(f"{base}/lookup", data={"id_number": PERSON_ID[:-1]})]
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    logged = log.read_text()
    assert "POST /lookup" in logged and f"GET /subjects/{PERSON.code}" in logged
    assert PERSON_ID not in logged and PERSON_ID[:-1] not in logged
    for answer in answers:
        assert PERSON_ID[:-1] not in answer.text and PERSON_ID[:-1] not in str(answer.headers)
