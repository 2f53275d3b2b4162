"""An auditor keeps a signed checkpoint and later verifies the store against it, by CLI and HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.subject import subject_stream
from ledger.settings import Settings
from tests.audit_story import CODES, ledger_for, penalty, story
from tests.e2e.test_audit_api import wait_done
from tests.tamper import Store


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | env
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=full,
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])


def test_a_kept_checkpoint_catches_a_truncated_store(database_url: str, unique_name: str,
                                                     tmp_path: Path):
    story(ledger_for(database_url, unique_name))
    env = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name}
    # The operator signs the head; the auditor keeps what it printed.
    signed = cli(env, "checkpoint", "--json")
    assert signed.returncode == 0, signed.stderr
    kept = tmp_path / "kept.json"
    kept.write_text(signed.stdout)
    assert json.loads(signed.stdout)["checkpoint"]["events"] == 7
    ok = cli(env, "replay", "verify", "--checkpoint", str(kept))
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout and "the latest (file) at position 7" in ok.stdout.replace(
        "\n", " ")

    # Later, someone deletes the newest events, checkpoint included.
    Store(database_url, unique_name).truncate_after(5)
    assert cli(env, "replay", "verify").returncode == 0  # the store alone cannot tell
    caught = cli(env, "replay", "verify", "--checkpoint", str(kept), "--json")
    assert caught.returncode == 1
    first = json.loads(caught.stdout)["first_break"]
    assert (first["stream"], first["version"], first["position"]) == (
        str(subject_stream(CODES[1])), 2, 6)
    assert f"position 6, stream {subject_stream(CODES[1])} version 2" in " ".join(
        caught.stderr.split())


def test_a_checkpoint_with_a_bad_signature_is_refused(sqlite_url: str, unique_name: str,
                                                      tmp_path: Path):
    story(ledger_for(sqlite_url, unique_name))
    env = {"LEDGER_DATABASE_URL": sqlite_url, "LEDGER_APP_NAME": unique_name}
    signed = json.loads(cli(env, "checkpoint", "--json").stdout)
    signed["checkpoint"]["running_hash"] = "0" * 64  # what a store rewritten would need
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(signed))
    refused = cli(env, "replay", "verify", "--checkpoint", str(forged))
    assert refused.returncode == 2
    assert "refused: the signature does not verify" in " ".join(refused.stderr.split())


def test_the_latest_checkpoint_is_public_and_verification_over_http_uses_it(
        pg_url: str, unique_name: str, tmp_path: Path):
    tokens = tmp_path / "tokens.json"
    tokens.write_bytes(orjson.dumps({"auditor-token": {"role": "auditor", "authority": ""}}))
    settings = Settings(database_url=pg_url, app_name=unique_name, tokens_file=tokens,
                        env="test")
    runtime = bootstrap(settings, background=False)
    auditor = {"Authorization": "Bearer auditor-token"}
    with TestClient(create_app(runtime)) as client:
        story(runtime.ledger)
        missing = client.get("/v1/audit/checkpoints/latest")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name}
        assert cli(env, "checkpoint").returncode == 0
        # No token needed: it holds positions and hashes only.
        head = client.get("/v1/audit/checkpoints/latest")
        assert head.status_code == 200
        body = head.json()
        assert body["checkpoint"]["position"] == 7 and len(body["key_id"]) == 64
        assert body["recorded"]["position"] == 8

        # A stream's last event deleted by SQL: the HTTP verification names it.
        Store(pg_url, unique_name).delete(subject_stream(CODES[0]), 4)
        started = client.post("/v1/audit/verify", params={"source": "store"}, headers=auditor)
        done = wait_done(client, started.headers["Location"])
        assert not done["ok"] and done["checkpoint"]["position"] == 7
        assert (done["first_break"]["stream"], done["first_break"]["position"]) == (
            str(subject_stream(CODES[0])), 5)


def test_the_documented_outside_check_of_a_checkpoint_runs(sqlite_url: str, unique_name: str,
                                                           tmp_path: Path):
    from ledger.checkpoints import checkpointer_for, latest
    from tests.integration.test_verify import all_envelopes

    settings = Settings(database_url=sqlite_url, app_name=unique_name, env="test")
    runtime = bootstrap(settings, background=False)
    story(runtime.ledger)
    checkpointer_for(runtime).record(force=True)
    current = latest(runtime.ledger)
    assert current is not None
    (tmp_path / "checkpoint.json").write_bytes(orjson.dumps(current.public()))
    values = tmp_path / "values.jsonl"
    values.write_bytes(b"\n".join(orjson.dumps(e) for e in all_envelopes(runtime.ledger)))
    runtime.close()
    docs = (Path(__file__).parents[2] / "docs" / "events.md").read_text(encoding="utf-8")
    block = docs.split("## Signed checkpoints")[1].split("```python\n")[1].split("```")[0]
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(block, {})  # raises on a bad signature or a running hash that differs
        lines = values.read_bytes().splitlines()
        # An event whose data changed but whose hash was left as it was: caught.
        changed = orjson.loads(lines[2])
        changed["data"]["fine"] = "50.00" if "fine" in changed["data"] else "x"
        values.write_bytes(b"\n".join([*lines[:2], orjson.dumps(changed), *lines[3:]]))
        try:
            exec(block, {})
        except AssertionError as e:
            assert f"changed: {changed['position']}" in str(e)
        else:
            raise AssertionError("the documented check passed an event whose data changed")
        # The same block on a copy that lost one event fails.
        values.write_bytes(b"\n".join(lines[:2] + lines[3:]))
        try:
            exec(block, {})
        except AssertionError as e:
            assert "lost or rewritten" in str(e)
        else:
            raise AssertionError("the documented check passed a copy missing an event")
    finally:
        os.chdir(old)


def test_an_auditor_needs_only_the_public_key_and_a_bad_row_is_never_signed(
        database_url: str, unique_name: str):
    story(ledger_for(database_url, unique_name))
    seed = "44" * 32
    operator = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name,
                "LEDGER_SIGNING_KEY": seed}
    assert cli(operator, "checkpoint").returncode == 0
    public = json.loads(cli(operator, "checkpoint", "--json").stdout)["checkpoint"]["public_key"]
    # The auditor's environment holds the published public key, never the seed.
    auditor = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name,
               "LEDGER_CHECKPOINT_PUBLIC_KEYS": json.dumps([public])}
    ok = cli(auditor, "replay", "verify")
    assert ok.returncode == 0, ok.stderr

    # A new event, then its row made unreadable by SQL: the checkpointer names it, signs nothing.
    ledger = ledger_for(database_url, unique_name)
    penalty(ledger, CODES[0], 9)
    tamper = Store(database_url, unique_name)
    position = tamper.position(subject_stream(CODES[0]), 5)
    tamper.corrupt(subject_stream(CODES[0]), 5)
    refused = cli(operator, "checkpoint")
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    stream = subject_stream(CODES[0])
    assert (f"refusing to sign a checkpoint: position {position}, stream {stream} "
            "version 5: stored state cannot be read as an event") in " ".join(
                refused.stderr.split())
