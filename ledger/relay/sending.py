"""The Kafka side of the relay: batches sent with the records' futures, then acknowledged."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

from ledger.relay.encoding import Record
from ledger.relay.producer import KeyPartitions, build_producer, discard
from ledger.relay.topic import ensure_topic


@dataclass
class InFlight:
    """A batch sent and not yet recorded: its last position and the records' futures."""

    last: int
    futures: list[Any]


class Stopped(Exception):
    """Asked to stop while waiting for the broker: the batch stays unrecorded."""


class Publisher:
    """One producer on one topic (checked, or created, first); dropped after a Kafka fault."""

    def __init__(self, bootstrap: str, topic: str, partitions: int,
                 overrides: dict[str, Any] | None = None) -> None:
        self.topic = topic
        ensure_topic(bootstrap, topic, partitions)
        self.producer: KafkaProducer = build_producer(bootstrap, **(overrides or {}))
        try:
            # The producer's own view of the partitions (it waits for the metadata of a
            # topic just created): the explicit partitions it is given must be among them.
            self.partition_of = KeyPartitions(len(self.producer.partitions_for(topic)))
        except Exception:
            discard(self.producer, 0)
            raise

    def send(self, records: list[Record]) -> InFlight:
        send, partition_of, topic = self.producer.send, self.partition_of, self.topic
        futures = [send(topic, value=value, key=key, headers=[("type", type_bytes)],
                        partition=partition_of(key))
                   for key, value, type_bytes, _ in records]
        return InFlight(records[-1][3], futures)

    def settle(self, batch: InFlight, stop: threading.Event, *, flush: bool,
               waiting: Callable[[str], None]) -> None:
        """Wait for every acknowledgement of the batch; the producer retries meanwhile.

        `waiting` hears of each 5 s without progress; raises Stopped if `stop` is set by then,
        or the first record's error if one failed for good.
        """

        def still_waiting() -> None:
            if stop.is_set():
                raise Stopped()
            waiting("KafkaTimeoutError: the batch is not acknowledged yet")

        while flush:  # nothing follows: send now rather than after linger_ms
            try:
                self.producer.flush(timeout=5)
                break
            except KafkaTimeoutError:
                still_waiting()
        for future in batch.futures:
            while not future.is_done:
                try:
                    future.get(timeout=5)
                except KafkaTimeoutError:
                    if not future.is_done:
                        still_waiting()
            if future.failed():  # one record failed for good: the whole batch is sent again
                raise future.exception

    def close(self, timeout: float = 5.0) -> None:
        discard(self.producer, timeout)
