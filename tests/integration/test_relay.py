"""The relay publishes every recorded event to Kafka, once per clean run, kept for ever."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.partitioner.default import murmur2

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.build import build_ledger
from ledger.relay import Relay, TopicRefused, ensure_topic, service_for
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from tests.relay_story import (
    ACME,
    TYPES,
    backlog,
    distinct_events,
    every_type,
    read_topic,
    relay_to_head,
    schema_validator,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
def topic(kafka_bootstrap: str, topic_name: str) -> Iterator[str]:
    yield topic_name
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.delete_topics([topic_name], raise_errors=False)
    admin.close()


def settings_for(database_url: str, app_name: str, kafka: str, topic: str) -> Settings:
    return Settings(database_url=database_url, app_name=app_name, kafka_bootstrap=kafka,
                    kafka_topic=topic, env="test")


def test_every_event_reaches_kafka_as_its_documented_record(
    database_url: str, unique_name: str, kafka_bootstrap: str, topic: str,
):
    # A subject with one fact of each kind, in the store (PostgreSQL, and embedded SQLite).
    settings = settings_for(database_url, unique_name, kafka_bootstrap, topic)
    ledger = build_ledger(settings)
    every_type(ledger)
    notifications = ledger.recorder.select_notifications(1, 1000)

    # The relay runs until it has recorded the head.
    relay_to_head(Relay(settings, ledger), ledger)

    # The topic was created with six partitions and kept for ever.
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    assert len(admin.describe_topics([topic])[0]["partitions"]) == 6
    configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)],
                                     config_filter="all")["topic"][topic]
    admin.close()
    assert configs["retention.ms"]["value"] == "-1"

    # One record per event, exactly as documented, valid against the published schemas.
    records = sorted(read_topic(kafka_bootstrap, topic), key=lambda r: orjson.loads(r.value)[
        "position"])
    assert len(records) == len(notifications)
    validator = schema_validator()
    for record, n in zip(records, notifications, strict=True):
        envelope = envelope_from_notification(n)
        assert orjson.loads(record.value) == envelope
        assert record.key == envelope["subject"].encode()
        assert record.partition == (murmur2(record.key) & 0x7FFFFFFF) % 6
        assert record.headers == [("type", envelope["type"].encode())]
        errors = [e.message for e in validator.iter_errors(orjson.loads(record.value))]
        assert errors == [], (envelope["type"], errors)
    assert {orjson.loads(r.value)["type"] for r in records} == TYPES
    # Per-subject order: one partition per subject, versions in order within it.
    acme = [orjson.loads(r.value) for r in records if r.key == ACME.encode()]
    assert [e["version"] for e in acme] == list(range(1, len(acme) + 1))
    assert len({r.partition for r in records if r.key == ACME.encode()}) == 1


def test_a_clean_restart_resumes_where_it_stopped(
    pg_url: str, unique_name: str, kafka_bootstrap: str, topic: str,
):
    # 2,000 events relayed by one relay process, which then stops cleanly.
    settings = settings_for(pg_url, unique_name, kafka_bootstrap, topic)
    ledger = build_ledger(settings)
    backlog(ledger, 2000)
    relay_to_head(Relay(settings, ledger, batch=300), ledger)
    ledger.close()

    # More events, then a new process (new application object) relays again.
    ledger = build_ledger(settings)
    backlog(ledger, 1000, start=400)
    relay_to_head(Relay(settings, ledger, batch=300), ledger)

    # Every event is on the topic exactly once: nothing re-sent, nothing missed.
    records = read_topic(kafka_bootstrap, topic)
    assert len(records) == 3000
    assert len(distinct_events(records)) == 3000
    assert sorted(orjson.loads(r.value)["position"] for r in records) == list(range(1, 3001))


@pytest.mark.parametrize("config", [{"retention.ms": "604800000"},
                                    {"retention.bytes": "1073741824"},
                                    {"cleanup.policy": "compact"}])
def test_a_topic_that_would_delete_history_is_refused(
    pg_url: str, unique_name: str, kafka_bootstrap: str, topic: str, config: dict[str, str],
):
    # Someone created the topic with a finite retention (or compaction).
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic, 6, 1, topic_configs=config)])
    admin.close()
    settings = settings_for(pg_url, unique_name, kafka_bootstrap, topic)
    ledger = build_ledger(settings)
    every_type(ledger)

    # The relay refuses, says why, and publishes nothing.
    with pytest.raises(TopicRefused, match=next(iter(config))):
        ensure_topic(kafka_bootstrap, topic, 6)
    relay = Relay(settings, ledger)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while relay.status()["last_error"] is None and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    status = relay.status()
    assert status["ok"] is False and next(iter(config)) in status["last_error"]
    assert read_topic(kafka_bootstrap, topic) == []

    # So does the command, with a clear message and a non-zero exit.
    env = os.environ | {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name,
                        "LEDGER_KAFKA_BOOTSTRAP": kafka_bootstrap, "LEDGER_KAFKA_TOPIC": topic}
    done = subprocess.run([sys.executable, "-m", "api.cli", "relay"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert "would delete recorded events" in done.stderr and next(iter(config)) in done.stderr


def test_serve_runs_the_relay_and_reports_its_lag(
    pg_url: str, unique_name: str, kafka_bootstrap: str, topic: str,
):
    # Without Kafka, or with --no-relay, there is no relay; with Kafka there is.
    settings = settings_for(pg_url, unique_name, kafka_bootstrap, topic)
    embedded = bootstrap(settings.model_copy(update={"kafka_bootstrap": None}),
                         background=False)
    no_relay = bootstrap(settings, background=False, relay=False)
    assert service_for(embedded) is None and service_for(no_relay) is None
    embedded.close()
    no_relay.close()
    runtime = bootstrap(settings, background=True, project=False)
    relay = next(s for s in runtime.services if s.name == "relay")

    # Events recorded while the API process runs are relayed in-process.
    with TestClient(create_app(runtime)) as client:
        every_type(runtime.ledger)
        head = runtime.ledger.head_position()
        deadline = time.monotonic() + 30
        while relay.status()["position"] != head and time.monotonic() < deadline:
            time.sleep(0.05)
        metrics = client.get("/metrics")
        ready = client.get("/readyz").json()

    # /metrics and /readyz show the relay caught up: lag 0 at the head.
    assert metrics.status_code == 200
    lines = set(metrics.text.splitlines())
    assert {f"credit_ledger_head_position {head}", "credit_ledger_relay_lag 0",
            f"credit_ledger_relay_position {head}", "credit_ledger_relay_ok 1"} <= lines
    assert ready["checks"]["relay"]["lag"] == 0 and ready["checks"]["relay"]["ok"] is True
    assert len(read_topic(kafka_bootstrap, topic)) == head
