"""The auditors read Kafka through the one reader the views use (`KafkaFeed.history`).

What an auditor needs of it: every record up to the end the topic had when the read began,
or only the partition of one subject's key; each envelope exactly as written (its hash is
recomputed, so nothing may be escaped); and a value that is not an envelope still seen, to
be reported.
"""

from __future__ import annotations

import orjson
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from ledger.relay.producer import KeyPartitions
from projections.kafka_feed import FeedUnavailable, KafkaFeed
from replay.kafka_index import load
from replay.report import NoProgress, Report

SUBJECTS = ["91110000600037341L", "91110000MA01U2QX6Y", "91110000802100433B",
            "91350100M000100Y43"]


def envelope(subject: str, version: int, text: str = "x") -> dict[str, object]:
    return {"subject": subject, "stream": f"stream-{subject}", "version": version,
            "note": text}


@pytest.fixture
def topic(kafka_bootstrap: str, topic_name: str):
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic_name, num_partitions=3, replication_factor=1)])
    yield topic_name
    admin.delete_topics([topic_name])
    admin.close()


def send(bootstrap: str, topic: str, records: list[tuple[str, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for key, value in records:
        producer.send(topic, key=key.encode(), value=value)
    producer.flush()
    producer.close()


@pytest.mark.kafka
def test_an_auditor_reads_every_record_as_written_and_one_subjects_partition_alone(
        kafka_bootstrap: str, topic: str) -> None:
    written = [envelope(s, v) for v in (1, 2, 3) for s in SUBJECTS]
    # An event stored before the edge rules, with a NUL in a text: as written on Kafka.
    with_nul = envelope(SUBJECTS[0], 4, "a\x00b")
    send(kafka_bootstrap, topic, [(str(e["subject"]), orjson.dumps(e))
                                  for e in [*written, with_nul]])
    send(kafka_bootstrap, topic, [(SUBJECTS[1], b"not an envelope")])

    feed = KafkaFeed(kafka_bootstrap, topic)
    try:
        records = list(feed.history())
    finally:
        feed.close()
    assert len(records) == len(written) + 2
    envelopes = [r.envelope for r in records]
    assert all(e in envelopes for e in written)
    # The views get U+FFFD for a NUL (PostgreSQL text cannot hold one); the auditor does not.
    assert with_nul in envelopes
    assert {} in envelopes  # the value that is no envelope, at its place
    per_partition: dict[int, list[int]] = {}
    for r in records:
        per_partition.setdefault(r.partition, []).append(r.offset)
    assert all(offsets == sorted(offsets) for offsets in per_partition.values())

    # One subject's key: only its partition (the relay's choice), and all of its records.
    feed = KafkaFeed(kafka_bootstrap, topic)
    try:
        mine = list(feed.history(key=SUBJECTS[2]))
    finally:
        feed.close()
    partition = KeyPartitions(3)(SUBJECTS[2].encode())
    assert {r.partition for r in mine} == {partition}
    assert [r.envelope for r in mine if r.envelope.get("subject") == SUBJECTS[2]] == [
        envelope(SUBJECTS[2], v) for v in (1, 2, 3)]

    # verify's index of the topic names the record that is not an envelope.
    report = Report(source="kafka")
    load(kafka_bootstrap, topic, report, NoProgress())
    assert report.kafka_records == len(written) + 2
    garbage = next(r for r in records if r.envelope == {})
    assert (f"record at partition {garbage.partition} offset {garbage.offset} is not a valid "
            "envelope (the value is not a JSON object)") in [b.reason for b in report.breaks]


@pytest.mark.kafka
def test_a_topic_that_does_not_exist_is_named(kafka_bootstrap: str, topic_name: str) -> None:
    with pytest.raises(FeedUnavailable, match=topic_name):
        KafkaFeed(kafka_bootstrap, topic_name + ".absent", wait_for_topic=0)
