"""The relay under faults: killed mid-backlog, broker down, database restarted. Nothing is lost."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaAdminClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.build import build_ledger
from ledger.domain.uscc import make_uscc
from ledger.relay import Relay
from ledger.relay.positions import PositionStore
from ledger.settings import Settings
from tests.conftest import service_missing
from tests.own_services import OwnKafka, OwnPostgres, wait_until
from tests.relay_story import MARKET, backlog, distinct_events, read_topic, store_events

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def topic(kafka_bootstrap: str, topic_name: str) -> Iterator[str]:
    yield topic_name
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.delete_topics([topic_name], raise_errors=False)
    admin.close()


@pytest.fixture(scope="module")
def own_kafka() -> Iterator[OwnKafka]:
    """A broker of this module's own, so that stopping it disturbs nobody else."""
    try:
        broker = OwnKafka()
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as e:
        service_missing(f"a broker of the test's own ({e})", "scripts/services up kafka")
    try:
        broker.start()
        yield broker
    finally:
        broker.close()


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    """A PostgreSQL server of this module's own, so that restarting it disturbs nobody else."""
    try:
        server = OwnPostgres()
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as e:
        service_missing(f"a PostgreSQL server of the test's own ({e})", "scripts/services up")
    try:
        server.start()
        server.provision()
        yield server
    finally:
        server.close()


def relay_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "api.cli", "relay"],
                                env=os.environ | env, stdout=out, stderr=subprocess.STDOUT)


def test_kill_9_mid_backlog_then_restart_delivers_every_event(
    pg_url: str, unique_name: str, kafka_bootstrap: str, topic: str, tmp_path: Path,
):
    # A backlog of 50,000 events in the store.
    settings = Settings(database_url=pg_url, app_name=unique_name)
    ledger = build_ledger(settings)
    backlog(ledger, 50_000)
    head = ledger.head_position()
    positions = PositionStore(ledger.recorder, unique_name)
    env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_KAFKA_BOOTSTRAP": kafka_bootstrap,
           "LEDGER_KAFKA_TOPIC": topic, "LEDGER_APP_NAME": unique_name}

    # `credit-ledger relay` is killed with SIGKILL part-way through.
    relay = relay_process(env, tmp_path / "relay.log")
    try:
        wait_until(lambda: positions.load(topic) >= 5000, 120, "the relay did not get going")
        os.kill(relay.pid, signal.SIGKILL)
        relay.wait(timeout=30)
    finally:
        if relay.poll() is None:
            relay.kill()
    killed_at = positions.load(topic)
    assert killed_at < head, "the relay finished before it could be killed mid-backlog"

    # Restarted, it resumes from its recorded position and reaches the head; SIGTERM stops it.
    relay = relay_process(env, tmp_path / "relay.log")
    try:
        wait_until(lambda: positions.load(topic) == head, 180, "the relay did not catch up")
        relay.send_signal(signal.SIGTERM)
        assert relay.wait(timeout=60) == 0
    finally:
        if relay.poll() is None:
            relay.kill()

    # Every event is on Kafka; deduplicated by (stream, version), each exactly once.
    records = read_topic(kafka_bootstrap, topic)
    distinct = distinct_events(records)
    assert set(distinct) == store_events(ledger)
    assert len(distinct) == head == 50_000
    assert len(records) - head <= 2 * settings.relay_batch  # at most the batches in flight
    ledger.close()


def test_broker_down_for_20_s_while_the_api_keeps_recording(
    pg_url: str, unique_name: str, own_kafka: OwnKafka, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
):
    # The API process runs the relay in-process against the test's own broker.
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tok": {"role": "provider", "authority": MARKET,
                                          "actor": "clerk-1"}}))
    settings = Settings(database_url=pg_url, app_name=unique_name, tokens_file=tokens,
                        kafka_bootstrap=own_kafka.bootstrap, kafka_topic="credit.events.faults",
                        env="test")
    runtime = bootstrap(settings, background=True, project=False)
    relay = next(s for s in runtime.services if s.name == "relay")
    caplog.set_level(logging.WARNING, logger="credit-ledger.relay")
    written = iter(range(1_000_000))

    def register(client: TestClient) -> int:
        code = make_uscc("9", "1", "211100", f"F{next(written):07d}")
        return client.post("/v1/subjects", json={"code": code, "name": "Outage Co",
                                                 "kind": "enterprise"},
                           headers={"Authorization": "Bearer tok"}).status_code

    with TestClient(create_app(runtime)) as client:
        assert {register(client) for _ in range(20)} == {201}
        wait_until(lambda: relay.status()["lag"] == 0, 60, "the relay did not catch up")

        # The broker stops for 20 s; providers keep recording meanwhile, every write accepted.
        own_kafka.stop()
        statuses = []
        until = time.monotonic() + 20
        while time.monotonic() < until:
            statuses.append(register(client))
            time.sleep(0.05)
        assert set(statuses) == {201} and len(statuses) > 50
        during = relay.status()
        assert during["lag"] > 0 and during["last_error"]

        # The broker is back: the relay catches up by itself.
        own_kafka.start()
        assert {register(client) for _ in range(20)} == {201}
        wait_until(lambda: relay.status()["lag"] == 0, 120, "the relay did not catch up")
        after = relay.status()

    # Nothing lost: every recorded event is on the topic; the outage was logged once.
    records = read_topic(own_kafka.bootstrap, settings.kafka_topic)
    assert set(distinct_events(records)) == store_events(build_ledger(settings))
    assert after["ok"] is True and after["outages"] == 1
    outage_logs = [r for r in caplog.records if "Kafka unavailable" in r.getMessage()]
    assert len(outage_logs) == 1, [r.getMessage() for r in caplog.records]


def test_postgres_restarted_under_the_relay(
    own_postgres: OwnPostgres, unique_name: str, kafka_bootstrap: str, topic: str,
):
    # 20,000 events in the test's own PostgreSQL; the relay is working through them.
    settings = Settings(database_url=own_postgres.url, app_name=unique_name,
                        kafka_bootstrap=kafka_bootstrap, kafka_topic=topic, env="test")
    ledger = build_ledger(settings)
    backlog(ledger, 20_000)
    relay = Relay(settings, build_ledger(settings), batch=500)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: (relay.position or 0) >= 2000, 60, "the relay did not get going")

        # PostgreSQL goes down for 3 s and comes back, mid-stream.
        own_postgres.stop()
        time.sleep(3)
        own_postgres.start()
        assert (relay.position or 0) < 20_000, "the relay finished before the restart"

        # More events after the restart; the relay reconnects and reaches the head.
        backlog(ledger, 5000, start=10_000)
        head = ledger.head_position()
        wait_until(lambda: relay.position == head, 120, "the relay did not catch up")
    finally:
        stop.set()
        thread.join(timeout=30)

    # Nothing lost or skipped; the relay noticed the outage and got over it.
    records = read_topic(kafka_bootstrap, topic)
    assert set(distinct_events(records)) == store_events(ledger)
    status = relay.status()
    assert status["outages"] >= 1 and status["ok"] is True and status["last_error"]
    ledger.close()
