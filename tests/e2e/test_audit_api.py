"""The auditor API: history at a record time, and verification started and read over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.subject import subject_stream
from ledger.settings import Settings
from tests.audit_story import CODES, penalty, story

AUDITOR = {"Authorization": "Bearer auditor-token"}
PROVIDER = {"Authorization": "Bearer provider-token"}


@pytest.fixture
def client(pg_url: str, unique_name: str, tmp_path: Path) -> Iterator[TestClient]:
    tokens = tmp_path / "tokens.json"
    tokens.write_bytes(orjson.dumps({
        "auditor-token": {"role": "auditor", "authority": ""},
        "provider-token": {"role": "provider", "authority": "11100000000013127D"}}))
    settings = Settings(database_url=pg_url, app_name=unique_name, tokens_file=tokens,
                        env="test")
    runtime = bootstrap(settings, background=False)
    with TestClient(create_app(runtime)) as c:
        yield c


def test_events_as_of_a_record_time_hide_what_came_later(client: TestClient):
    ledger = client.app.state.runtime.ledger
    story(ledger)
    code = CODES[0]
    before = client.get(f"/v1/audit/subjects/{code}/events", headers=AUDITOR).json()
    cut = before["events"][-1]["recorded_at"]
    # A penalty recorded after the cut is not part of what the ledger knew at the cut.
    penalty(ledger, code, 3)
    at_cut = client.get(f"/v1/audit/subjects/{code}/events", params={"as_of": cut},
                        headers=AUDITOR).json()
    now = client.get(f"/v1/audit/subjects/{code}/events", headers=AUDITOR).json()
    assert [e["version"] for e in at_cut["events"]] == [1, 2, 3, 4]
    assert [e["version"] for e in now["events"]] == [1, 2, 3, 4, 5]
    assert at_cut["known_versions"] == 5 and at_cut["chain_ok"]
    assert len(at_cut["state"]["penalties"]) == 2 and len(now["state"]["penalties"]) == 3
    assert all(len(e["hash"]) == 64 for e in now["events"])


def test_audit_needs_the_auditor_role_and_valid_times(client: TestClient):
    story(client.app.state.runtime.ledger)
    url = f"/v1/audit/subjects/{CODES[0]}/events"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=PROVIDER).status_code == 403
    bad = client.get(url, params={"as_of": "yesterday"}, headers=AUDITOR)
    assert bad.status_code == 422 and "as_of" in bad.json()["detail"]
    assert client.get("/v1/audit/subjects/91350100M000100Y43/events",
                      headers=AUDITOR).status_code == 404
    assert client.post("/v1/audit/verify", headers=PROVIDER).status_code == 403


def wait_done(client: TestClient, href: str) -> dict:
    for _ in range(100):
        body = client.get(href, headers=AUDITOR).json()
        if body["status"] != "running":
            return body
        time.sleep(0.1)
    raise AssertionError("verification did not finish")


def test_verification_started_over_http_reports_a_tampered_event(
        client: TestClient, pg_url: str, unique_name: str):
    ledger = client.app.state.runtime.ledger
    story(ledger)
    assert client.get("/v1/audit/verify", headers=AUDITOR).json()["last"] is None

    # A clean run.
    started = client.post("/v1/audit/verify", headers=AUDITOR)
    assert started.status_code == 202
    done = wait_done(client, started.headers["Location"])
    assert done["ok"] and done["events"] == 7

    # Someone rewrites a penalty's severity in the database.
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f"UPDATE {unique_name.lower()}_events SET state = convert_to(replace("
                   "convert_from(state, 'UTF8'), '\"severity\":\"minor\"', "
                   "'\"severity\":\"major\"'), 'UTF8') WHERE originator_id = %s "
                   "AND originator_version = 4", (subject_stream(CODES[0]),))
    started = client.post("/v1/audit/verify", params={"source": "store"}, headers=AUDITOR)
    done = wait_done(client, started.headers["Location"])
    assert not done["ok"]
    assert (done["first_break"]["stream"], done["first_break"]["version"]) == (
        str(subject_stream(CODES[0])), 4)

    # The summary shows the last verification to any auditor.
    last = client.get("/v1/audit/verify", headers=AUDITOR).json()
    assert last["last"]["id"] == done["id"] and last["last_finished"]["ok"] is False


@pytest.mark.kafka
def test_events_from_kafka_match_the_store(pg_url: str, kafka_bootstrap: str,
                                            unique_name: str, topic_name: str, tmp_path: Path):
    from tests.integration.test_verify import all_envelopes, delete_topic, publish

    tokens = tmp_path / "tokens.json"
    tokens.write_bytes(orjson.dumps({"auditor-token": {"role": "auditor"}}))
    settings = Settings(database_url=pg_url, app_name=unique_name, tokens_file=tokens,
                        kafka_bootstrap=kafka_bootstrap, kafka_topic=topic_name, env="test")
    runtime = bootstrap(settings, background=False)
    story(runtime.ledger)
    try:
        publish(kafka_bootstrap, topic_name, all_envelopes(runtime.ledger))
        with TestClient(create_app(runtime)) as client:
            url = f"/v1/audit/subjects/{CODES[1]}/events"
            from_kafka = client.get(url, params={"source": "kafka"}, headers=AUDITOR).json()
            from_store = client.get(url, headers=AUDITOR).json()
        assert from_kafka["source"] == "kafka" and from_kafka["chain_ok"]
        assert from_kafka["events"] == from_store["events"]
        assert len(from_kafka["events"]) == 3
    finally:
        delete_topic(kafka_bootstrap, topic_name)
