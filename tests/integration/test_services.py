"""The services are real: Kafka keeps per-key order; PostgreSQL and SQLite keep aggregates."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from ledger.build import build_ledger
from ledger.settings import Settings
from tests.calls import decide, register


def test_kafka_keeps_per_key_order_over_six_partitions(kafka_bootstrap: str, topic_name: str):
    # A six-partition topic on the real broker.
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic_name, num_partitions=6, replication_factor=1)])
    described = admin.describe_topics([topic_name])
    assert len(described[0]["partitions"]) == 6

    # 1,000 keyed records through the idempotent, acks=all producer.
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all",
                             enable_idempotence=True)
    for i in range(1000):
        producer.send(topic_name, key=f"k{i % 37}".encode(), value=str(i).encode())
    producer.flush()
    producer.close()

    # Read back: every record, and each key's values in the order they were sent.
    consumer = KafkaConsumer(topic_name, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=10000)
    by_key: dict[bytes, list[int]] = defaultdict(list)
    partitions_of: dict[bytes, set[int]] = defaultdict(set)
    for record in consumer:
        by_key[record.key].append(int(record.value))
        partitions_of[record.key].add(record.partition)
        if sum(map(len, by_key.values())) == 1000:
            break
    consumer.close()
    assert sum(map(len, by_key.values())) == 1000
    for key, values in by_key.items():
        assert values == sorted(values), f"key {key!r} out of order"
        assert len(partitions_of[key]) == 1
    assert len({p for ps in partitions_of.values() for p in ps}) > 1
    admin.delete_topics([topic_name])
    admin.close()


def test_an_aggregate_saved_is_reloaded(database_url: str, unique_name: str):
    # A subject registered and penalised, in a fresh application (its own tables).
    ledger = build_ledger(Settings(database_url=database_url, app_name=unique_name))
    register(ledger, code="91110000600037341L", name="Acme Ltd", kind="enterprise", masked=None,
                    authority="11210000MB0000000X", actor="test")
    decide(ledger, "91110000600037341L", lambda s: s.impose_penalty(
        authority="11210000MB0000000X", actor="test", decision_no="PJ-2026-1", severity="general",
        domain="tax", decided_on=date(2026, 6, 1), published_on=date(2026, 6, 3),
        category="fine", basis="Tax Law art. 63", special=False, details={},
        today=date(2026, 11, 25), calendar=ledger.calendar))
    ledger.close()

    # A second process on the same store sees both facts, in order, with a hash chain.
    again = build_ledger(Settings(database_url=database_url, app_name=unique_name))
    subject = again.subject("91110000600037341L")
    assert subject.name == "Acme Ltd" and subject.version == 2
    assert subject.penalties["11210000MB0000000X|PJ-2026-1"]["status"] == "public"
    events = list(again.events.get(subject.id))
    assert events[1].prev_hash == events[0].hash != ""
    # The library's own recorder for the backend (on PostgreSQL our subclass of it, ADR 030).
    library = PostgresApplicationRecorder if database_url.startswith("postgresql") \
        else SQLiteApplicationRecorder
    assert isinstance(again.recorder, library)
    assert os.environ.get("POSTGRES_ENABLE_DB_FUNCTIONS", "") in ("", "n")
    again.close()
