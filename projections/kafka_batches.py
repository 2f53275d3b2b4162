"""Reading a topic's record batches without a Python object per record, for rebuilds.

kafka-python parses every record into two objects (a DefaultRecord, then a ConsumerRecord
with its header sizes), about 10 us of CPU per record on this machine: a third of what a
rebuild share spends per event. A rebuild needs only each record's offset and value, so
`BatchReader` sends Fetch requests through the consumer's own connections (kafka-python's
protocol classes, its metadata, its network loop) and reads the v2 record batches here
with kafka-python's own pieces (its varint, CRC-32C and codec decoders): per record only
its length, offset delta and value, skipping the rest by length (about 2 us per record).

Anything this reader does not handle (a codec whose library is missing, an old message
format, a partition error, no known leader, a broker that does not answer) raises
`Unreadable`; the feed then
goes back to kafka-python's consumer for good (projections.kafka_feed). It uses attributes
kafka-python does not document (`KafkaConsumer._manager`); if they are missing, the feed
never starts this way.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from typing import Any

# baseOffset, batchLength, partitionLeaderEpoch, magic, crc, attributes, lastOffsetDelta,
# baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, recordCount.
HEADER = struct.Struct(">qiibIhiqqqhii")
CRC_FROM = 21  # the CRC covers the batch from its attributes on
COMPRESSION, CONTROL = 0x07, 0x20
GZIP, SNAPPY, LZ4, ZSTD = 1, 2, 3, 4
FETCH_VERSIONS = (4, 12)  # topics by name (13 and later name them by id)
# Bytes per partition and per fetch: a fetch's response is decoded on kafka-python's network
# loop, which warns of a task over 0.1 s (2 MiB per partition took that here).
PARTITION_BYTES, FETCH_BYTES = 1 << 20, 16 << 20


class Unreadable(RuntimeError):
    """This reader cannot read the batches: the caller should use kafka-python's consumer."""


def decompress(codec: int, body: bytes) -> bytes:
    """A batch's records, with kafka-python's own decoders (those whose library is here)."""
    from kafka.codec import gzip_decode, lz4_decode, snappy_decode, zstd_decode

    decode = {GZIP: gzip_decode, SNAPPY: snappy_decode, LZ4: lz4_decode,
              ZSTD: zstd_decode}.get(codec)
    try:
        if decode is None:
            raise ValueError("unknown codec")
        return bytes(decode(body))
    except Exception as e:  # no library for it, or not what it claims to be
        raise Unreadable(f"record batches compressed with codec {codec}: {e!r}") from e


def records(data: bytes, start: int = 0) -> Iterator[tuple[int, bytes | None]]:
    """(offset, value) of the records in a fetch's record set, from offset `start` on.

    A fetch may end in the middle of a batch (its byte limit): that batch is left for the
    next fetch. Control batches (transaction markers) hold no events."""
    from kafka.record.util import calc_crc32c, decode_varint

    pos, size = 0, len(data)
    view = memoryview(data)
    while pos + HEADER.size <= size:
        (base, length, _, magic, crc, attributes, last_delta, *_, count) = \
            HEADER.unpack_from(data, pos)
        end = pos + 12 + length
        if end > size:
            return
        if magic != 2:
            raise Unreadable(f"record batch format v{magic}")
        if calc_crc32c(view[pos + CRC_FROM:end]) != crc:
            raise Unreadable(f"record batch at offset {base} failed its CRC check")
        body, pos = data[pos + HEADER.size:end], end
        if attributes & CONTROL or base + last_delta < start:
            continue
        if attributes & COMPRESSION:
            body = decompress(attributes & COMPRESSION, body)
        p = 0
        for _ in range(count):
            length, p = decode_varint(body, p)
            stop = p + length
            _, p = decode_varint(body, p + 1)  # after the attributes byte: the timestamp delta
            delta, p = decode_varint(body, p)
            key_length, p = decode_varint(body, p)
            value_length, p = decode_varint(body, p + max(0, key_length))
            if base + delta >= start:
                yield base + delta, body[p:p + value_length] if value_length >= 0 else None
            p = stop


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
                    found[p] = list(records(part.records or b"", offsets[p]))
        return found

    async def _send(self, request: Any, leader: int, timeout_ms: int) -> Any:
        """On kafka-python's network thread, as all of its own requests are sent: its
        connections are not to be touched from another thread."""
        return await self.manager.wait_for(self.manager.send(request, node_id=leader),
                                           timeout_ms)
