"""The Kafka producer the relay publishes with, and the partition each key goes to."""

from __future__ import annotations

from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from kafka.partitioner.default import murmur2

# Measured with bench/relay.py (docs/BENCHMARKS.md): kafka-python's per-record cost dominates,
# so large batches mean fewer produce requests per flush; lz4 costs next to nothing and keeps
# a topic that is retained for ever about five times smaller than plain JSON.
PRODUCER_SETTINGS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "compression_type": "lz4",
    "batch_size": 1024 * 1024,
    "linger_ms": 20,
    "max_request_size": 8 * 1024 * 1024,
    "max_in_flight_requests_per_connection": 5,
    "delivery_timeout_ms": 120_000,
    "request_timeout_ms": 30_000,
    "bootstrap_timeout_ms": 10_000,
    # A broker back from an outage is found within seconds, not the default half-minute.
    "reconnect_backoff_ms": 200,
    "reconnect_backoff_max_ms": 5_000,
}


def build_producer(bootstrap: str, **overrides: Any) -> KafkaProducer:
    """An idempotent, acks=all producer; raises NoBrokersAvailable when the broker is down."""
    return KafkaProducer(bootstrap_servers=bootstrap, client_id="credit-ledger-relay",
                         **(PRODUCER_SETTINGS | overrides))


class KeyPartitions:
    """The default partitioner's choice (murmur2 of the key), computed once per subject."""

    def __init__(self, partitions: int) -> None:
        self.partitions = partitions
        self._cache: dict[bytes, int] = {}

    def __call__(self, key: bytes) -> int:
        partition = self._cache.get(key)
        if partition is None:
            partition = (murmur2(key) & 0x7FFFFFFF) % self.partitions
            if len(self._cache) > 1_000_000:
                self._cache.clear()  # bounded memory over a city's worth of subjects
            self._cache[key] = partition
        return partition


def discard(producer: KafkaProducer, timeout: float = 5.0) -> None:
    """Close a producer, dropping what the broker has not acknowledged (it is re-sent later)."""
    try:
        producer.close(timeout=timeout)
    except KafkaTimeoutError:
        # kafka-python's close() flushes first and, with the broker down, raises before it
        # stops its I/O thread: abort the pending batches ourselves, then close.
        sender = producer._sender  # no public way to abort the pending batches
        sender.force_close()
        sender.join(timeout)
        producer.close(timeout=0)
