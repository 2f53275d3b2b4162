"""The relay's records: the documented envelope byte for byte, the Java client's partitions."""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson
from kafka.partitioner.default import DefaultPartitioner

from api.routers.metrics import numbers
from ledger.build import build_ledger
from ledger.domain.events import event_id as domain_event_id
from ledger.relay.encoding import encode, event_id
from ledger.relay.producer import KeyPartitions
from ledger.relay.reading import NotificationReader
from ledger.relay.topic import retention_problems
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from tests.relay_story import TYPES, every_type


def test_records_carry_the_published_envelope_unchanged(tmp_path: Path):
    # Every kind of fact, recorded in an embedded store.
    ledger = build_ledger(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}"))
    every_type(ledger)
    notifications = ledger.recorder.select_notifications(1, 1000)

    records = encode(NotificationReader(ledger.recorder).page(0, 1000))

    # One record per event: key = subject code, value = the envelope, header = its type.
    assert len(records) == len(notifications) == 14
    for (key, value, type_bytes, position), n in zip(records, notifications, strict=True):
        envelope = envelope_from_notification(n)
        assert value == orjson.dumps(envelope)
        assert key == envelope["subject"].encode()
        assert type_bytes == envelope["type"].encode()
        assert position == n.id
    assert {orjson.loads(r[1])["type"] for r in records} == TYPES


def test_event_ids_are_the_domain_uuid5():
    for _ in range(200):
        stream = str(uuid.uuid4())
        for version in (1, 2, 99, 123456):
            assert event_id(stream, version) == domain_event_id(stream, version)


def test_partitions_are_the_default_partitioners_choice():
    class Cluster:  # just what DefaultPartitioner asks of the metadata
        def topics(self) -> set[str]:
            return {"t"}

        def partitions_for_topic(self, topic: str) -> set[int]:
            return set(range(6))

        def available_partitions_for_topic(self, topic: str) -> set[int]:
            return set(range(6))

    partition_of = KeyPartitions(6)
    for i in range(500):
        key = f"91{i:016d}".encode()
        expected = DefaultPartitioner().partition("t", key, key, None, None, Cluster())
        assert partition_of(key) == expected == partition_of(key)


def test_only_topics_kept_for_ever_are_accepted():
    assert retention_problems({"retention.ms": "-1", "retention.bytes": "-1",
                               "cleanup.policy": "delete"}) == []
    assert retention_problems({"retention.ms": "604800000"})
    assert retention_problems({"retention.ms": "-1", "retention.bytes": "1073741824"})
    assert retention_problems({"cleanup.policy": "compact"})
    assert retention_problems({"cleanup.policy": "compact,delete"})


def test_metrics_take_every_number_a_service_reports():
    status = {"ok": True, "lag": 3, "topic": "t", "last_error": None,
              "views": {"profiles": {"position": 7}}}
    assert dict(numbers(status)) == {"ok": 1.0, "lag": 3.0, "views_profiles_position": 7.0}
