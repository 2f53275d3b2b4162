"""The bare baseline of the pipeline: the same bytes through PostgreSQL and Kafka, no ledger.

Five legs, run one after another with the clients the ledger uses: COPY the envelopes into a
plain table, SELECT them back, produce them (the relay's producer settings) and flush,
consume them back (the projections' consumer settings), COPY them into a second table.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from bench.common import DATABASE_URL, KAFKA, delete_topics
from ledger.relay import ensure_topic
from ledger.relay.producer import PRODUCER_SETTINGS
from projections.kafka_feed import consumer_config

Message = tuple[bytes, bytes]  # key, value


def consume_all(topic: str) -> list[Message]:
    """Every record of a topic, from offset 0 to its end when called."""
    consumer = KafkaConsumer(**consumer_config(KAFKA, client_id="credit-ledger-bench"))
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        out: list[Message] = []
        while any(consumer.position(tp) < end[tp] for tp in parts):
            for records in consumer.poll(timeout_ms=500, max_records=10_000).values():
                out.extend((r.key, r.value) for r in records)
        return out
    finally:
        consumer.close()


def copy_in(conn: psycopg.Connection[Any], table: str, messages: list[Message]) -> None:
    with (conn.transaction(), conn.cursor() as cur,
          cur.copy(f"COPY {table} (k, v) FROM STDIN") as copy):
        for key, value in messages:
            copy.write_row((key, value))


def run(messages: list[Message], name: str, partitions: int) -> dict[str, float]:
    """Seconds per leg and in total for `messages` (already in memory)."""
    legs: dict[str, float] = {}
    first, second, topic = f"{name}_in", f"{name}_out", f"bench.bare.{name}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        for table in (first, second):
            conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, k bytea, v bytea)")
        try:
            started = time.perf_counter()
            copy_in(conn, first, messages)
            legs["insert"] = lap(started)
            started = time.perf_counter()
            rows = conn.execute(f"SELECT k, v FROM {first} ORDER BY id").fetchall()
            legs["select"] = lap(started)
            ensure_topic(KAFKA, topic, partitions)
            legs["produce"] = produce(topic, rows)
            started = time.perf_counter()
            back = consume_all(topic)
            legs["consume"] = lap(started)
            started = time.perf_counter()
            copy_in(conn, second, back)
            legs["insert_views"] = lap(started)
        finally:
            for table in (first, second):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            delete_topics(topic)
    legs["total"] = sum(legs.values())
    return legs


def produce(topic: str, rows: list[Any]) -> float:
    producer = KafkaProducer(bootstrap_servers=KAFKA, client_id="credit-ledger-bench",
                             **PRODUCER_SETTINGS)
    producer.partitions_for(topic)  # metadata first, as the relay has it
    started = time.perf_counter()
    for key, value in rows:
        producer.send(topic, key=bytes(key), value=bytes(value))
    producer.flush()
    took = lap(started)
    producer.close()
    return took


def lap(started: float) -> float:
    return time.perf_counter() - started
