"""The ingest's two doors for one file: `credit-ledger import` (a process of its own) and an
upload to `POST /v1/imports` of a served ledger (`credit-ledger serve`, over TCP), polled to
done. Both run the same importer (docs/adr/021); each on fresh tables of the bench database.

    .venv/bin/python -m bench.ingest_upload [--events 100000]   (also part of bench.ingest)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import AUTHORITY, ROOT, credit_ledger, drop_app, ledger_env, run_stage, tag
from bench.dataset import city_file
from bench.servers import stop, wait_until_up

KEY = "bench-pseudonym-key"
RECORDS_PER_SUBJECT = 5.23  # as bench.ingest reckons a city's size
TOKEN = "bench-upload-admin"  # the city's file names its authorities: an admin uploads it


def measure_cli(path: Path, apps: list[str]) -> dict[str, Any]:
    """`credit-ledger import FILE` in one process, as an operator runs it on the server."""
    apps.append(f"BenchCli{tag()}")
    env = ledger_env(apps[-1], kafka=False, LEDGER_PSEUDONYM_KEY=KEY)
    stage = run_stage(credit_ledger("import", str(path), "--authority", AUTHORITY,
                                    "--workers", "1"), env)
    assert stage.returncode == 0, stage.stderr[-2000:]
    rows = _number(r"([\d,]+) rows read", stage.stdout)
    seconds = float(re.search(r"in ([\d.]+) s,", stage.stdout)[1])  # type: ignore[index]
    return {"rows": rows, "events": _number(r"stored ([\d,]+) new events", stage.stdout),
            "seconds": round(stage.seconds, 3), "rows_per_s": rows / stage.seconds,
            "import_seconds": seconds, "import_rows_per_s": rows / seconds,
            "cpu_s": round(stage.cpu_seconds, 2)}


def measure_upload(path: Path, apps: list[str]) -> dict[str, Any]:
    """POST the file to a served ledger, then poll its job until done: from the first byte
    sent to `done`, and the job's own figures (the importer's time in the server)."""
    apps.append(f"BenchUpload{tag()}")
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    tokens = work / "tokens.json"
    tokens.write_text(json.dumps({TOKEN: {"role": "admin", "authority": AUTHORITY,
                                          "actor": "bench-upload"}}))
    env = ledger_env(apps[-1], kafka=False, LEDGER_PSEUDONYM_KEY=KEY,
                     LEDGER_TOKENS_FILE=str(tokens), LEDGER_IMPORTS_DIR=str(work / "imports"))
    port = _free_port()
    (ROOT / ".cache" / "bench").mkdir(parents=True, exist_ok=True)
    with open(ROOT / ".cache" / "bench" / f"serve-upload-{port}.log", "w") as log:
        child = subprocess.Popen(
            credit_ledger("serve", "--port", str(port), "--no-project", "--no-expire",
                          "--no-checkpoint", "--no-relay"),
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/healthz", child)
            return _upload(base, path)
        finally:
            stop(child)
            shutil.rmtree(work, ignore_errors=True)


def _upload(base: str, path: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        started = time.perf_counter()
        with path.open("rb") as f:
            answer = client.post("/v1/imports", files={"file": (path.name, f)})
        assert answer.status_code == 202, answer.text
        accepted = time.perf_counter() - started
        status_url = answer.headers["location"]
        while (job := client.get(status_url).json())["status"] not in ("done", "failed"):
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    assert job["status"] == "done" and not job["rejected"], job
    return {"rows": job["rows"], "events": job["events"], "seconds": round(seconds, 3),
            "rows_per_s": job["rows"] / seconds, "upload_seconds": round(accepted, 3),
            "import_seconds": job["seconds"], "import_rows_per_s": job["rows_per_s"]}


def lines(cli: dict[str, Any], upload: dict[str, Any]) -> list[str]:
    return [
        f"CLI import      {cli['rows']:>8,} rows    {cli['seconds']:7.1f} s  "
        f"{cli['rows_per_s']:>8,.0f} rows/s  (the process, start-up included; its import "
        f"alone {cli['import_rows_per_s']:,.0f} rows/s)",
        f"HTTP upload     {upload['rows']:>8,} rows    {upload['seconds']:7.1f} s  "
        f"{upload['rows_per_s']:>8,.0f} rows/s  (POST to done; the upload "
        f"{upload['upload_seconds']:.1f} s, the job alone {upload['import_rows_per_s']:,.0f} "
        f"rows/s)",
    ]


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, text[-2000:]
    return int(found[1].replace(",", ""))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path, apps = city_file(round(args.events / RECORDS_PER_SUBJECT), args.seed), []
    try:
        cli, upload = measure_cli(path, apps), measure_upload(path, apps)
    finally:
        for app in apps:
            drop_app(app)
    for line in lines(cli, upload):
        print(line)


if __name__ == "__main__":
    main()
