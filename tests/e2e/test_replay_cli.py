"""`credit-ledger replay ...` as an auditor runs it: separate processes, real stores and Kafka."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.domain.subject import subject_stream
from tests.audit_story import CODES, ledger_for, story
from tests.integration.test_verify import (
    TAMPERED_VERSION,
    all_envelopes,
    change_one_byte,
    delete_topic,
    publish,
)

CLI = [sys.executable, "-m", "api.cli", "replay"]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | env
    return subprocess.run([*CLI, *args], env=full, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])


def outside_auditor_check(path: Path) -> str:
    """What an auditor writes with no access to this project: the documented canonical hash."""
    prev = ""
    for version, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        event = json.loads(line)
        body = {k: v for k, v in event.items() if k not in ("hash", "position")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event["version"] == version
        assert event["prev_hash"] == prev
        assert hashlib.sha256(canonical.encode()).hexdigest() == event["hash"]
        prev = event["hash"]
    return prev


def test_verify_history_and_export_against_a_store(database_url: str, unique_name: str,
                                                   tmp_path: Path):
    ledger = ledger_for(database_url, unique_name)
    story(ledger)
    env = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name}

    ok = run(env, "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout and "7 events in 2 streams" in ok.stdout

    shown = run(env, "history", CODES[0], "--json")
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert [e["type"] for e in body["events"]] == [
        "SubjectRegistered", "PermitGranted", "PenaltyImposed", "PenaltyImposed"]
    assert len(body["state"]["penalties"]) == 2

    out = tmp_path / "export.ndjson"
    exported = run(env, "export", CODES[0], "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    head = outside_auditor_check(out)
    assert head in exported.stdout.replace("\n", "")

    # One byte changed by SQL: verify exits non-zero and names the stream and version.
    change_one_byte(database_url, unique_name, CODES[0], TAMPERED_VERSION)
    broken = run(env, "verify", "--json")
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert (report["first_break"]["stream"], report["first_break"]["version"]) == (
        str(subject_stream(CODES[0])), TAMPERED_VERSION)
    assert f"version {TAMPERED_VERSION}" in broken.stderr
    # The export of a rewritten history fails the outside auditor's check.
    assert run(env, "export", CODES[0], "--out", str(out)).returncode == 1
    with pytest.raises(AssertionError):
        outside_auditor_check(out)


def test_state_as_of_and_effective(sqlite_url: str, unique_name: str):
    ledger = ledger_for(sqlite_url, unique_name)
    story(ledger)
    env = {"LEDGER_DATABASE_URL": sqlite_url, "LEDGER_APP_NAME": unique_name}
    events = json.loads(run(env, "history", CODES[1], "--json").stdout)["events"]
    listed_at = events[1]["recorded_at"]  # recorded: registered, listed, then delisted

    # As the ledger knew it right after the listing: black-listed, 400 points down.
    then = run(env, "state", CODES[1], "--as-of", listed_at, "--json")
    assert then.returncode == 0, then.stderr
    body = json.loads(then.stdout)
    assert [m["list"] for m in body["profile"]["lists"]] == ["black"]
    assert body["known"]["version"] == 2
    # As known now, on 2025-10-01 (after the delisting): off the list; tables by default.
    now = run(env, "state", CODES[1], "--effective", "2025-10-01")
    assert now.returncode == 0, now.stderr
    assert "black" not in now.stdout and "score 1000" in now.stdout
    # Before the subject was recorded, the ledger knew nothing of it.
    assert run(env, "state", CODES[1], "--as-of", "2020-01-01").returncode == 2


def test_bad_input_exits_non_zero(sqlite_url: str, unique_name: str):
    env = {"LEDGER_DATABASE_URL": sqlite_url, "LEDGER_APP_NAME": unique_name}
    story(ledger_for(sqlite_url, unique_name))
    assert run(env, "history", "91350100M000100Y43").returncode == 2
    assert run(env, "history", CODES[0], "--as-of", "soon").returncode == 2
    assert run(env, "verify", "--source", "kafka").returncode == 2  # no Kafka configured


@pytest.mark.kafka
def test_history_and_verify_from_kafka(pg_url: str, kafka_bootstrap: str, unique_name: str,
                                       topic_name: str):
    ledger = ledger_for(pg_url, unique_name)
    story(ledger)
    envelopes = all_envelopes(ledger)
    env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name,
           "LEDGER_KAFKA_BOOTSTRAP": kafka_bootstrap, "LEDGER_KAFKA_TOPIC": topic_name}
    try:
        # Duplicates from at-least-once delivery are harmless.
        publish(kafka_bootstrap, topic_name, envelopes + envelopes[:2])
        from_kafka = run(env, "history", CODES[1], "--source", "kafka", "--json")
        assert from_kafka.returncode == 0, from_kafka.stderr
        from_store = run(env, "history", CODES[1], "--json")
        kafka_body, store_body = json.loads(from_kafka.stdout), json.loads(from_store.stdout)
        assert kafka_body["events"] == store_body["events"]
        assert kafka_body["state"] == store_body["state"]

        both = run(env, "verify", "--source", "both", "--json")
        assert both.returncode == 0, both.stdout + both.stderr
        assert json.loads(both.stdout)["kafka_records"] == len(envelopes) + 2
    finally:
        delete_topic(kafka_bootstrap, topic_name)


def project_everything(env: dict[str, str]) -> None:
    """Run the live projection runner until it has applied every recorded event."""
    import time

    from api.bootstrap import bootstrap
    from ledger.settings import Settings

    runtime = bootstrap(Settings(database_url=env["LEDGER_DATABASE_URL"],
                                 app_name=env["LEDGER_APP_NAME"], env="test"),
                        background=True, relay=False)
    runtime.start()
    try:
        head = runtime.ledger.head_position()
        for _ in range(300):
            if runtime.services[0].status()["position"] >= head:
                return
            time.sleep(0.05)
        raise AssertionError(f"projections did not catch up: {runtime.services[0].status()}")
    finally:
        runtime.close()


def live_table(database_url: str, app_name: str, table: str) -> str:
    """The physical name of a live view table (its serving generation)."""
    from projections.storage import ViewStore

    store = ViewStore(database_url, app_name.lower())
    try:
        with store.reader() as tx:
            return tx.t(table)
    finally:
        store.close()


def execute_sql(database_url: str, sql: str) -> None:
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            db.execute(sql)
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute(sql)


def test_diff_finds_a_live_view_row_that_a_rebuild_does_not_give(database_url: str,
                                                                   unique_name: str):
    ledger = ledger_for(database_url, unique_name)
    story(ledger)
    env = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name}
    project_everything(env)
    same = run(env, "diff")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "same" in same.stdout

    # Someone edits a served profile by SQL: the rebuilt view disagrees, row by row.
    table = live_table(database_url, unique_name, "profile_subject")
    execute_sql(database_url, f"UPDATE {table} SET name = 'Renamed Co.' "
                              f"WHERE code = '{CODES[1]}'")
    different = run(env, "diff", "--json")
    assert different.returncode == 1
    body = json.loads(different.stdout)
    changed = {t["table"]: t for t in body["tables"] if t["only_live_total"]}
    assert list(changed) == ["profile_subject"]
    assert "Renamed Co." in json.dumps(changed["profile_subject"]["only_live"])
    assert "Panjin Example" in json.dumps(changed["profile_subject"]["only_rebuilt"])
    assert "profile_subject" in different.stderr


def test_rebuild_into_a_schema_as_of_a_record_time(pg_url: str, unique_name: str):
    ledger = ledger_for(pg_url, unique_name)
    story(ledger)
    env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name}
    project_everything(env)
    events = json.loads(run(env, "history", CODES[1], "--json").stdout)["events"]
    before_listing = events[0]["recorded_at"]
    schema = "audit_" + unique_name.lower()
    try:
        built = run(env, "rebuild", "lists", "--into", schema, "--as-of", before_listing,
                    "--source", "store")
        assert built.returncode == 0, built.stderr
        import psycopg

        with psycopg.connect(pg_url) as db:
            # The listing was recorded after the cut: the rebuilt list view has no entry ...
            assert db.execute(f"SELECT count(*) FROM {schema}.list_entry").fetchone() == (0,)
            # ... while the live view, untouched, still has it.
            live = live_table(pg_url, unique_name, "list_entry")
            assert db.execute(f"SELECT count(*) FROM {live}").fetchone() == (1,)
        assert run(env, "rebuild", "lists", "--as-of", before_listing).returncode == 2
    finally:
        execute_sql(pg_url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.kafka
def test_diff_rebuilding_from_kafka_matches_views_built_from_the_store(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str):
    ledger = ledger_for(pg_url, unique_name)
    story(ledger)
    env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name}
    project_everything(env)  # live views from the store's log
    try:
        envelopes = all_envelopes(ledger)
        publish(kafka_bootstrap, topic_name, envelopes + envelopes[-3:])  # with duplicates
        kafka_env = env | {"LEDGER_KAFKA_BOOTSTRAP": kafka_bootstrap,
                           "LEDGER_KAFKA_TOPIC": topic_name}
        same = run(kafka_env, "diff", "--source", "kafka")
        assert same.returncode == 0, same.stdout + same.stderr
    finally:
        delete_topic(kafka_bootstrap, topic_name)
