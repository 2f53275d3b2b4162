"""`replay verify`: a byte changed in the database, or a record lost on Kafka, is named."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import psycopg
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from ledger.domain.subject import subject_stream
from ledger.store.notifications import envelope_from_notification
from replay import summary
from replay.verify import KafkaTarget, verify
from tests.audit_story import CODES, ledger_for, story
from tests.calls import register

# CODES[0]'s stream: 1 registered, 2 permit, 3 the first penalty (fine "5000.00").
TAMPERED_VERSION = 3


def change_one_byte(database_url: str, app_name: str, code: str, version: int) -> None:
    """Plain SQL, as a rogue administrator would: the fine's first digit 5 becomes 6."""
    stream = subject_stream(code)
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            db.execute(
                "UPDATE stored_events SET state = CAST(substr(state, 1, k - 1) || '6' || "
                "substr(state, k + 1) AS BLOB) FROM (SELECT instr(state, "
                "CAST('\"fine\":\"5' AS BLOB)) + 8 AS k FROM stored_events "
                "WHERE originator_id = ? AND originator_version = ?) "
                "WHERE originator_id = ? AND originator_version = ?",
                (stream.hex, version, stream.hex, version))
            assert db.total_changes == 1
        return
    with psycopg.connect(database_url, autocommit=True) as db:
        cur = db.execute(
            f"UPDATE {app_name.lower()}_events SET state = set_byte(state, "
            "position('\"fine\":\"5'::bytea in state) + 7, ascii('6')) "
            "WHERE originator_id = %s AND originator_version = %s", (stream, version))
        assert cur.rowcount == 1


def test_a_clean_store_verifies(database_url: str, unique_name: str):
    ledger = ledger_for(database_url, unique_name)
    story(ledger)
    report = verify(ledger.recorder)
    assert report.ok, report.breaks
    assert (report.streams, report.events) == (2, 7)


def test_one_changed_byte_breaks_the_chain_at_that_event(database_url: str, unique_name: str):
    # The ledger records a short history; then someone edits one stored event by SQL.
    ledger = ledger_for(database_url, unique_name)
    story(ledger)
    change_one_byte(database_url, unique_name, CODES[0], TAMPERED_VERSION)

    # Verification fails and names exactly that stream and version.
    report = verify(ledger.recorder)
    assert not report.ok
    first = report.first_break
    assert first is not None
    assert (first.where, first.stream, first.version) == (
        "store", str(subject_stream(CODES[0])), TAMPERED_VERSION)
    assert first.subject == CODES[0]
    assert "hash" in first.reason
    # Only that stream is broken; the other subject's chain still holds.
    assert {b.stream for b in report.breaks} == {str(subject_stream(CODES[0]))}

    # The report is kept, so the auditor API can show it later.
    summary.save(ledger.recorder, unique_name, report)
    kept = summary.latest(ledger.recorder, unique_name)
    assert kept is not None and kept.id == report.id and not kept.ok
    assert kept.first_break == first


def publish(bootstrap: str, topic: str, envelopes: list[dict[str, Any]]) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    if topic not in admin.list_topics():
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for env in envelopes:
        producer.send(topic, key=env["subject"].encode(), value=orjson.dumps(env))
    producer.flush()
    producer.close()


def delete_topic(bootstrap: str, topic: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.delete_topics([topic])
    admin.close()


def all_envelopes(ledger: Any) -> list[dict[str, Any]]:
    return [envelope_from_notification(n)
            for n in ledger.recorder.select_notifications(start=1, limit=10_000)]


@pytest.mark.kafka
def test_a_record_missing_on_kafka_is_named(pg_url: str, kafka_bootstrap: str,
                                            unique_name: str, topic_name: str):
    ledger = ledger_for(pg_url, unique_name)
    story(ledger)
    envelopes = all_envelopes(ledger)
    lost = next(e for e in envelopes if e["subject"] == CODES[1] and e["version"] == 2)
    complete, partial = topic_name + ".complete", topic_name + ".partial"
    try:
        # A full copy verifies against the store.
        publish(kafka_bootstrap, complete, envelopes)
        report = verify(ledger.recorder, kafka=KafkaTarget(kafka_bootstrap, complete))
        assert report.ok, report.breaks
        assert report.kafka_records == len(envelopes) == report.events

        # A copy without one record (as if compacted away or deleted) does not.
        publish(kafka_bootstrap, partial, [e for e in envelopes if e is not lost])
        report = verify(ledger.recorder, kafka=KafkaTarget(kafka_bootstrap, partial))
        assert not report.ok
        first = report.first_break
        assert first is not None
        assert (first.where, first.stream, first.version) == ("kafka", lost["stream"], 2)
        assert "missing on Kafka" in first.reason
    finally:
        delete_topic(kafka_bootstrap, complete)
        delete_topic(kafka_bootstrap, partial)


@pytest.mark.kafka
def test_a_record_on_kafka_that_the_store_lacks_is_named(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str):
    ledger = ledger_for(pg_url, unique_name)
    story(ledger)
    # Someone slips onto the topic an event that this store never recorded.
    other = ledger_for(pg_url, unique_name + "x")
    register(other, code="91350100M000100Y43", name="Intruder Co.", kind="enterprise",
                   masked=None, authority="11100000000013127D", actor="x")
    forged = all_envelopes(other)[0]
    try:
        publish(kafka_bootstrap, topic_name, [*all_envelopes(ledger), forged])
        report = verify(ledger.recorder, store=False,
                        kafka=KafkaTarget(kafka_bootstrap, topic_name, upto=10**9))
        assert [(b.stream, b.version, b.reason) for b in report.breaks] == [
            (forged["stream"], 1, "on Kafka but not in the store")]
    finally:
        delete_topic(kafka_bootstrap, topic_name)


@pytest.mark.kafka
def test_a_changed_byte_in_the_store_is_found_against_kafka_alone(
        database_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str):
    ledger = ledger_for(database_url, unique_name)
    story(ledger)
    try:
        publish(kafka_bootstrap, topic_name, all_envelopes(ledger))
        change_one_byte(database_url, unique_name, CODES[0], TAMPERED_VERSION)
        # Comparing with the Kafka copy, without the store's own chains, still finds it.
        report = verify(ledger.recorder, store=False,
                        kafka=KafkaTarget(kafka_bootstrap, topic_name))
        assert [(b.where, b.stream, b.version) for b in report.breaks] == [
            ("kafka", str(subject_stream(CODES[0])), TAMPERED_VERSION)]
        assert "differs" in report.breaks[0].reason
    finally:
        delete_topic(kafka_bootstrap, topic_name)


@pytest.mark.kafka
def test_the_relays_own_topic_verifies_and_a_forged_record_on_it_is_named(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str):
    import threading
    import time

    from ledger.relay import Relay
    from ledger.settings import Settings
    from replay import jobs

    settings = Settings(database_url=pg_url, app_name=unique_name, kafka_bootstrap=kafka_bootstrap,
                        kafka_topic=topic_name, kafka_partitions=3, env="test")
    ledger = ledger_for(pg_url, unique_name)
    story(ledger)
    # The real relay publishes every event and records how far it got.
    relay, stop = Relay(settings, ledger, poll_interval=0.05), threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        for _ in range(400):
            if relay.position == ledger.head_position():
                break
            time.sleep(0.05)
        # One more event, recorded after the relay stopped: pending, not missing.
        stop.set()
        thread.join(timeout=30)
        from tests.audit_story import penalty

        penalty(ledger, CODES[0], 9)
        report = jobs.run(ledger, settings, jobs.new_report(settings, "both"))
        assert report.ok, report.breaks
        assert report.checked_upto == relay.position == 7 and report.pending == 1

        # A record forged onto the topic by someone with broker access is named.
        forged = dict(all_envelopes(ledger)[2], data={"fine": "1.00"}, position=3)
        publish(kafka_bootstrap, topic_name, [forged])
        report = jobs.run(ledger, settings, jobs.new_report(settings, "kafka"))
        assert not report.ok
        assert {(b.stream, b.version) for b in report.breaks} == {
            (forged["stream"], forged["version"])}
        assert any("hash does not match" in b.reason for b in report.breaks)
    finally:
        stop.set()
        delete_topic(kafka_bootstrap, topic_name)
