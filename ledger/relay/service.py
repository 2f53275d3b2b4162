"""The relay: follows the store's notification log and publishes every event to Kafka.

At-least-once: each batch is sent, flushed and acknowledged (acks=all) before its last
position is recorded. A crash between the two re-sends that batch; consumers drop the
duplicates by (stream, version). Failures of the broker or the store are retried with
backoff for ever, from the last recorded position, so nothing is lost or skipped.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from ledger.application import CreditLedger
from ledger.relay.encoding import Record, encode
from ledger.relay.health import Health
from ledger.relay.positions import PositionStore
from ledger.relay.producer import KeyPartitions, build_producer, discard
from ledger.relay.reading import NotificationReader
from ledger.relay.topic import TopicRefused, ensure_topic
from ledger.settings import Settings

log = logging.getLogger("credit-ledger.relay")


class Stopped(Exception):
    """Asked to stop while waiting for the broker: the batch stays unrecorded."""


class Relay:
    """A background service (see ledger.runtime.Service) from one store to one topic."""

    name = "relay"

    def __init__(self, settings: Settings, ledger: CreditLedger, *, batch: int | None = None,
                 poll_interval: float = 0.2, producer_settings: dict[str, Any] | None = None,
                 ) -> None:
        assert settings.kafka_bootstrap, "the relay needs LEDGER_KAFKA_BOOTSTRAP"
        self.bootstrap = settings.kafka_bootstrap
        self.topic = settings.kafka_topic
        self.partitions = settings.kafka_partitions
        self.batch = batch or settings.relay_batch
        self.poll_interval = poll_interval
        self.producer_settings = producer_settings or {}
        self.ledger = ledger  # held: the application closes its pool when collected
        self.reader = NotificationReader(ledger.recorder)
        self.positions = PositionStore(ledger.recorder, application=ledger.name)
        self.health = Health()
        self.position: int | None = None  # last position flushed to Kafka and recorded
        self.head: int | None = None
        self.published = 0
        self._unrecorded: int | None = None  # flushed to Kafka, not yet recorded
        self._producer: KafkaProducer | None = None
        self._partition_of: KeyPartitions | None = None
        self._prefetch: tuple[int, Future[list[Record]]] | None = None
        self._reads: ThreadPoolExecutor | None = None

    # -- the loop ----------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set; never raises, never skips."""
        log.info("relay to %s topic %s starting", self.bootstrap, self.topic)
        self._reads = ThreadPoolExecutor(1, thread_name_prefix="relay-read")
        try:
            while not stop.is_set():
                try:
                    moved = self.step(stop)
                except Stopped:
                    break
                except TopicRefused as e:
                    self.health.refused(str(e))
                    log.error("%s", e)
                    stop.wait(60)  # an operator must fix the topic; look again now and then
                    continue
                except Exception as e:  # the supervisor of a service loop must outlive any fault
                    self._reset(kafka=isinstance(e, KafkaError))
                    stop.wait(self.health.failed(e))
                    continue
                self.health.succeeded()
                if not moved:
                    stop.wait(self.poll_interval)
        finally:
            self.close()
            log.info("relay stopped at position %s", self.position)

    def step(self, stop: threading.Event) -> int:
        """Publish one batch after the recorded position; the number of events published."""
        self._connect()
        if self._unrecorded is not None:
            self._record(self._unrecorded)
        assert self.position is not None
        records = self._next_records(self.position)
        if not records:
            self.head = max(self.position, self.head or 0)
            return 0
        if len(records) == self.batch:  # probably more to come: read it while this one sends
            self._prefetch_after(records[-1][3])
        self._flush(self._send(records), stop)
        self._unrecorded = records[-1][3]
        self._record(self._unrecorded)
        self.published += len(records)
        self.head = max(self.reader.head(), self.position)
        return len(records)

    # -- the parts ------------------------------------------------------------------

    def _connect(self) -> None:
        if self.position is None:
            self.position = self.positions.load(self.topic)
            self.head = self.reader.head()
            log.info("relay resumes after position %d (head %d)", self.position, self.head)
        if self._producer is None:
            partitions = ensure_topic(self.bootstrap, self.topic, self.partitions)
            self._producer = build_producer(self.bootstrap, **self.producer_settings)
            self._partition_of = KeyPartitions(partitions)
            self.health.refused(None)

    def _next_records(self, after: int) -> list[Record]:
        if self._prefetch is not None:
            prefetched_after, future = self._prefetch
            self._prefetch = None
            if prefetched_after == after:
                return future.result()
        return encode(self.reader.page(after, self.batch))

    def _prefetch_after(self, after: int) -> None:
        if self._reads is None:
            return
        self._prefetch = (after, self._reads.submit(
            lambda: encode(self.reader.page(after, self.batch))))

    def _send(self, records: list[Record]) -> list[Any]:
        producer, partition_of, topic = self._producer, self._partition_of, self.topic
        assert producer is not None and partition_of is not None
        send = producer.send
        return [send(topic, value=value, key=key, headers=[("type", type_bytes)],
                     partition=partition_of(key))
                for key, value, type_bytes, _ in records]

    def _flush(self, futures: list[Any], stop: threading.Event) -> None:
        """Wait for every record's acknowledgement; the producer itself retries meanwhile."""
        assert self._producer is not None
        while True:
            try:
                self._producer.flush(timeout=5)
                break
            except KafkaTimeoutError:
                if stop.is_set():
                    raise Stopped() from None
                self.health.waiting("KafkaTimeoutError: the batch is not acknowledged yet")
        for future in futures:  # a record that failed for good fails the whole batch
            if future.failed():
                raise future.exception

    def _record(self, position: int) -> None:
        self.positions.save(self.topic, position)
        self.position = position
        self._unrecorded = None

    def _reset(self, *, kafka: bool) -> None:
        """After a failure: forget the prefetch; a Kafka fault also drops the producer."""
        self._prefetch = None
        if kafka and self._producer is not None:
            discard(self._producer, timeout=0)
            self._producer = None

    def close(self) -> None:
        if self._producer is not None:
            discard(self._producer)
            self._producer = None
        if self._reads is not None:
            self._reads.shutdown(wait=True, cancel_futures=True)
            self._reads = None

    # -- reporting ------------------------------------------------------------------

    def _refresh_head(self) -> None:
        # While the store is down, the last head seen stands (a probe must not hang on it).
        if self.health.failing_what == "the event store":
            return
        with contextlib.suppress(Exception):  # a report never raises; the loop reports faults
            self.head = self.reader.head()

    def status(self) -> dict[str, Any]:
        """Lag = events recorded in the store but not yet acknowledged by Kafka."""
        self._refresh_head()
        lag = None if self.head is None or self.position is None else self.head - self.position
        return {"topic": self.topic, "position": self.position, "head": self.head, "lag": lag,
                "published": self.published} | self.health.report()
