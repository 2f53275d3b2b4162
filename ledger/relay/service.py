"""The relay: follows the store's notification log and publishes every event to Kafka.

At-least-once: a batch's last position is recorded only once every record up to it is
acknowledged (acks=all). A crash in between re-sends what was unrecorded; consumers drop
the duplicates by (stream, version). Failures of the broker or the store are retried with
backoff for ever, from the last recorded position, so nothing is lost or skipped.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from kafka.errors import KafkaError

from ledger.application import CreditLedger
from ledger.relay.health import Health
from ledger.relay.pages import Pages
from ledger.relay.positions import PositionStore
from ledger.relay.reading import NotificationReader
from ledger.relay.sending import InFlight, Publisher, Stopped
from ledger.relay.topic import TopicRefused
from ledger.settings import Settings

log = logging.getLogger("credit-ledger.relay")


class Relay:
    """A background service (see ledger.runtime.Service) from one store to one topic."""

    name = "relay"

    def __init__(self, settings: Settings, ledger: CreditLedger, *, batch: int | None = None,
                 poll_interval: float = 0.2, producer_settings: dict[str, Any] | None = None,
                 ) -> None:
        assert settings.kafka_bootstrap, "the relay needs LEDGER_KAFKA_BOOTSTRAP"
        self.settings = settings
        self.topic = settings.kafka_topic
        self.batch = batch or settings.relay_batch
        self.poll_interval = poll_interval
        self.producer_settings = producer_settings
        self.ledger = ledger  # held: the application closes its pool when collected
        self.reader = NotificationReader(ledger.recorder)
        self.pages = Pages(self.reader, self.batch)
        self.positions = PositionStore(ledger.recorder, application=ledger.name)
        self.health = Health()
        self.position: int | None = None  # last position acknowledged by Kafka and recorded
        self.head: int | None = None
        self.published = 0
        self._unrecorded: int | None = None  # acknowledged, but recording it failed
        self._publisher: Publisher | None = None
        self._in_flight: list[InFlight] = []  # sent, not yet recorded: at most two

    def run(self, stop: threading.Event) -> None:
        """Relay until `stop` is set; never raises, never skips."""
        log.info("relay to %s topic %s starting", self.settings.kafka_bootstrap, self.topic)
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
            self.drain(stop)
            self.close()
            log.info("relay stopped at position %s", self.position)

    def step(self, stop: threading.Event) -> int:
        """Send the next batch, then record the previous one once Kafka has acknowledged it.

        Waiting for batch k's acknowledgements while batch k+1 is on its way keeps the
        producer busy; a position is recorded only when everything up to it is acknowledged.
        """
        publisher = self.connect()
        if self._unrecorded is not None:
            self._record(self._unrecorded)
        assert self.position is not None
        in_flight = self._in_flight
        records = self.pages.after(in_flight[-1].last if in_flight else self.position)
        if records:
            in_flight.append(publisher.send(records))
        while len(in_flight) > (1 if records else 0):  # oldest first: positions only grow
            self._settle(publisher, in_flight[0], stop, flush=not records)
            in_flight.pop(0)
        self.head = max(self.position, self.head or 0)
        return len(records)

    def drain(self, stop: threading.Event) -> None:
        """On a clean stop: settle what is in flight, so that a restart re-sends nothing."""
        try:
            while self._in_flight and self._publisher is not None:
                self._settle(self._publisher, self._in_flight[0], stop, flush=True)
                self._in_flight.pop(0)
        except Exception as e:  # left unrecorded: sent again after the restart, harmlessly
            log.warning("relay: stopping with %d batch(es) unacknowledged (%s: %s)",
                        len(self._in_flight), type(e).__name__, e)

    def connect(self) -> Publisher:
        """Load the recorded position, check (or create) the topic, start the producer."""
        if self.position is None:
            self.position = self.positions.load(self.topic)
            self.head = self.reader.head()
            log.info("relay resumes after position %d (head %d)", self.position, self.head)
            if self.position > self.head:
                log.warning("relay: recorded position %d is beyond the store's head %d: is this "
                            "the store that was relayed to %s?", self.position, self.head,
                            self.topic)
        if self._publisher is None:
            s = self.settings
            self._publisher = Publisher(s.kafka_bootstrap or "", self.topic, s.kafka_partitions,
                                        self.producer_settings)
            self.health.refused(None)
        return self._publisher

    def _settle(self, publisher: Publisher, batch: InFlight, stop: threading.Event, *,
                flush: bool) -> None:
        publisher.settle(batch, stop, flush=flush, waiting=self.health.waiting)
        self._unrecorded = batch.last
        self._record(batch.last)
        self.published += len(batch.futures)

    def _record(self, position: int) -> None:
        self.positions.save(self.topic, position)
        self.position = position
        self._unrecorded = None

    def _reset(self, *, kafka: bool) -> None:
        """After a failure: resume from the recorded position; a Kafka fault drops the producer."""
        self.pages.forget()
        self._in_flight = []
        if kafka and self._publisher is not None:
            self._publisher.close(timeout=0)
            self._publisher = None

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
        self.pages.close()

    def status(self) -> dict[str, Any]:
        """Lag = events recorded in the store but not yet acknowledged by Kafka."""
        # While the store is down, the last head seen stands (a probe must not hang on it).
        if self.health.failing_what != "the event store":
            with contextlib.suppress(Exception):  # a report never raises; the loop reports
                self.head = self.reader.head()
        lag = None if self.head is None or self.position is None else self.head - self.position
        return {"topic": self.topic, "position": self.position, "head": self.head, "lag": lag,
                "published": self.published} | self.health.report()
