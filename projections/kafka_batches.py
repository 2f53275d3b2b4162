"""Reading a topic's record batches without a Python object per record, for rebuilds.

kafka-python parses every record into two objects (a DefaultRecord, then a ConsumerRecord
with its header sizes), about 10 us of CPU per record on this machine: a third of what a
rebuild share spends per event. A rebuild needs only each record's offset and value, so
`BatchReader` sends Fetch requests through the consumer's own connections (kafka-python's
protocol classes, its metadata, its network loop) and reads the v2 record batches here
(projections.record_sets, compiled: its varints inline, kafka-python's CRC-32C and codec
decoders): per record only its length, offset delta and value, skipping the rest by length.

Anything this reader does not handle (a codec whose library is missing, an old message
format, a partition error, no known leader, a broker that does not answer) raises
`Unreadable`; the feed then
goes back to kafka-python's consumer for good (projections.kafka_feed). It uses attributes
kafka-python does not document (`KafkaConsumer._manager`); if they are missing, the feed
never starts this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections.record_sets import CRC_FROM, Unreadable, decompress, records

__all__ = ["CRC_FROM", "FETCH_BYTES", "BatchReader", "Unreadable", "decompress", "records"]

FETCH_VERSIONS = (4, 12)  # topics by name (13 and later name them by id)
# Bytes per partition and per fetch: a fetch's response is decoded on kafka-python's network
# loop, which warns of a task over 0.1 s (2 MiB per partition took that here).
PARTITION_BYTES, FETCH_BYTES = 1 << 20, 16 << 20


class BatchReader:
    """Fetches partitions of one topic through a KafkaConsumer's connections."""

    def __init__(self, consumer: Any, topic: str, *, partition_bytes: int = PARTITION_BYTES,
                 total_bytes: int = FETCH_BYTES) -> None:
        try:
            self.manager = consumer._manager  # kafka-python 3's connection manager
            self.cluster = self.manager.cluster
        except AttributeError as e:
            raise Unreadable("this kafka-python has no connection manager to fetch with") from e
        self.topic = topic
        self.partition_bytes, self.total_bytes = partition_bytes, total_bytes

    def fetch(self, offsets: Mapping[int, int], wait: float,
              ) -> dict[int, list[tuple[int, bytes | None]]]:
        """Each partition's records from its offset on, as far as one fetch per leader goes."""
        from kafka import TopicPartition
        from kafka.protocol.consumer import FetchRequest

        by_leader: dict[int, list[int]] = {}
        for p in offsets:
            leader = self.cluster.leader_for_partition(TopicPartition(self.topic, p))
            if leader is None or leader < 0:
                raise Unreadable(f"no known leader for partition {p}")
            by_leader.setdefault(leader, []).append(p)
        topic_type = FetchRequest.FetchTopic
        part_type = topic_type.FetchPartition
        found: dict[int, list[tuple[int, bytes | None]]] = {}
        for leader, parts in by_leader.items():
            request = FetchRequest(
                max_wait_ms=int(wait * 1000), min_bytes=1, max_bytes=self.total_bytes,
                isolation_level=0, session_id=0, session_epoch=-1, forgotten_topics_data=[],
                rack_id="", min_version=FETCH_VERSIONS[0], max_version=FETCH_VERSIONS[1],
                topics=[topic_type(topic=self.topic, partitions=[
                    part_type(partition=p, current_leader_epoch=-1, fetch_offset=offsets[p],
                              last_fetched_epoch=-1, partition_max_bytes=self.partition_bytes)
                    for p in parts])])
            try:
                response = self.manager.run(self._send, request, leader,
                                            int(wait * 1000) + 30_000)
            except Exception as e:  # kafka-python's errors: the consumer retries its way
                raise Unreadable(f"fetch from broker {leader} failed: {e!r}") from e
            for topic in response.responses:
                for part in topic.partitions:
                    p = part.partition_index
                    if part.error_code:
                        raise Unreadable(f"partition {p}: Kafka error {part.error_code}")
                    found[p] = records(bytes(part.records or b""), offsets[p])  # bytes, as typed
        return found

    async def _send(self, request: Any, leader: int, timeout_ms: int) -> Any:
        """On kafka-python's network thread, as all of its own requests are sent: its
        connections are not to be touched from another thread."""
        return await self.manager.wait_for(self.manager.send(request, node_id=leader),
                                           timeout_ms)
