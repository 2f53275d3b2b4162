"""An upload outlives the server that took it: a job cut off by a kill or a clean stop is
resumed at the next start, and re-running it stores nothing twice; one cut off again and again
is failed with the reason. Never silently lost. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger.build import build_ledger
from ledger.generator.city import generate
from ledger.importing.jobs import ImportJobs
from tests.upload_story import PERMITS_CSV, TOKENS, Site, bearer, stored_events


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A generated city of about 21,000 records, naming the city's authorities (so uploaded
    by the credit office's admin, who may record for any of them)."""
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n"
                    for r in generate(4000, 11))


@pytest.fixture(scope="module")
def city_events(city: bytes, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The events one uninterrupted import of the city stores, into a fresh store (the CLI)."""
    return one_import(city, tmp_path_factory.mktemp("once"))


def test_a_clean_stop_puts_the_running_job_back_and_the_next_start_finishes_it(
    database_url: str, unique_name: str, tmp_path: Path, city: bytes,
) -> None:
    site = Site.make(database_url, unique_name, tmp_path)
    with site.serve() as server:
        job_id = server.accepted("city.ndjson", city, token="tok-admin")
        wait_for(lambda: server.job(job_id, "tok-admin").json()["status"] == "running")
    # The server stopped while the job ran: back in the queue, saying why.
    jobs = ImportJobs(site.settings.imports_root)
    stopped = jobs.get(job_id)
    assert stopped is not None and stopped.status == "queued", stopped
    assert "stopped" in (stopped.note or "") and jobs.upload(job_id).exists()
    with site.serve() as server:
        before = stored_events(server.ledger)  # what the cut-off run had stored
        done = server.finished(job_id, "tok-admin")
        assert (done["status"], done["attempts"], done["rejected"]) == ("done", 2, 0)
        assert done["rows"] == city.count(b"\n")
        assert stored_events(server.ledger) == before + done["events"]
        # Nothing lost, nothing twice: the same file again stores nothing.
        again = server.finished(server.accepted("city.ndjson", city, token="tok-admin"),
                                "tok-admin")
        assert again["events"] == 0
    # The file held resident IDs in clear: it is gone once the job finished.
    assert not jobs.upload(job_id).exists()


def test_a_killed_server_resumes_its_job_at_the_next_start(
    database_url: str, unique_name: str, tmp_path: Path, city: bytes, city_events: int,
) -> None:
    env = served_env(database_url, unique_name, tmp_path)
    with serve_process(env) as base:
        answer = httpx.post(f"{base}/v1/imports", files={"file": ("city.ndjson", city)},
                            headers=bearer("tok-admin"), timeout=60)
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["id"]
        # Once the job's first batches are stored ...
        wait_for(lambda: httpx.get(f"{base}/readyz").json()["checks"]["store"][
            "head_position"] > 0)
    # ... the server is killed (SIGKILL: no word to anyone). The next start takes it up again.
    with serve_process(env) as base:
        deadline, status = time.monotonic() + 180, f"{base}/v1/imports/{job_id}"
        while (done := httpx.get(status, headers=bearer("tok-admin")).json())["status"] not in (
                "done", "failed"):
            assert time.monotonic() < deadline, done
            time.sleep(0.1)
    assert (done["status"], done["attempts"], done["interrupted"]) == ("done", 2, 1), done
    assert "resumed" in done["note"]
    assert done["rows"] == city.count(b"\n") and done["rejected"] == 0
    # What the killed run stored plus what the resumed one stored: one city, once.
    ledger = build_ledger(Site.make(database_url, unique_name, tmp_path).settings)
    try:
        stored = stored_events(ledger)  # not the head: a killed save leaves a gap
    finally:
        ledger.close()
    assert stored > done["events"]  # the killed run had stored some already
    assert stored == city_events


def test_a_job_cut_off_again_and_again_is_failed_with_the_reason(
    database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    site = Site.make(database_url, unique_name, tmp_path)
    with site.serve(imports=False) as server:
        job_id = server.accepted("permits.csv", PERMITS_CSV)
    # As processes killed twice while running it left it.
    jobs = ImportJobs(site.settings.imports_root)
    job = jobs.get(job_id)
    assert job is not None
    job.status, job.attempts, job.interrupted = "running", 3, 2
    jobs.save(job)
    with site.serve() as server:
        failed = server.finished(job_id)
        assert failed["status"] == "failed" and "upload the file again" in failed["error"]
        assert server.report(job_id).status_code == 200  # finished: an (empty) report
        assert server.ledger.head_position() == 0
    assert not jobs.upload(job_id).exists()


def one_import(city: bytes, tmp_path: Path) -> int:
    """The events one uninterrupted import of the file stores, into a fresh store."""
    file = tmp_path / "city.ndjson"
    file.write_bytes(city)
    url = f"sqlite:///{tmp_path / 'once.sqlite3'}"
    env = {"LEDGER_DATABASE_URL": url}
    run = subprocess.run([sys.executable, "-m", "api.cli", "import", str(file), "--authority",
                          TOKENS["tok-admin"]["authority"]], env=clean_env(env),
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return int(run.stdout.split("stored ")[1].split(" new")[0].replace(",", ""))


ROOT = Path(__file__).parents[2]


def clean_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | env | {
        "PYTHONPATH": str(ROOT), "LEDGER_DEMO": "0"}


def served_env(database_url: str, app_name: str, tmp_path: Path) -> dict[str, str]:
    settings = Site.make(database_url, app_name, tmp_path).settings
    return {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": app_name,
            "LEDGER_TOKENS_FILE": str(settings.tokens_file),
            "LEDGER_IMPORTS_DIR": str(settings.imports_dir)}


@contextmanager
def serve_process(env: dict[str, str]) -> Iterator[str]:
    """`credit-ledger serve` as a process, killed (SIGKILL) when the block ends."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(Path(env["LEDGER_IMPORTS_DIR"]).parent / f"serve-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                             "--no-expire", "--no-checkpoint", "--no-project"],
                            env=clean_env(env), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{base}/healthz"), timeout=60)
        yield base
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(condition: Callable[[], Any], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
