"""A Kafka fetch's record set as (offset, value) pairs, and those values as feed records.

The per-record half of `projections.kafka_batches`, kept apart so that it can be compiled
(projections.compiled; nothing patches it): read as Python, kafka-python's varint decoder
alone cost about 1.3 us a record, five calls each, and the whole walk over a record 3 to 4
us. Varints are decoded inline here instead; CRC-32C and the codecs are still
kafka-python's (its C libraries).
"""

from __future__ import annotations

import logging
import struct
from typing import Any

import orjson
from kafka.record.util import calc_crc32c

from projections.feed import Record, Unreadable, envelope_json

log = logging.getLogger("projections.kafka_feed")

# baseOffset, batchLength, partitionLeaderEpoch, magic, crc, attributes, lastOffsetDelta,
# baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, recordCount.
HEADER = struct.Struct(">qiibIhiqqqhii")
HEADER_SIZE = HEADER.size  # 61
CRC_FROM = 21  # the CRC covers the batch from its attributes on
COMPRESSION, CONTROL = 0x07, 0x20
GZIP, SNAPPY, LZ4, ZSTD = 1, 2, 3, 4


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


def varint(data: bytes, pos: int) -> tuple[int, int]:
    """A zigzag varint at `pos`: (its value, the position after it)."""
    byte = data[pos]
    pos += 1
    raw = byte & 0x7F
    shift = 7
    while byte & 0x80:
        if shift > 63:
            raise Unreadable("a record's varint runs past 64 bits")
        byte = data[pos]
        pos += 1
        raw |= (byte & 0x7F) << shift
        shift += 7
    return (raw >> 1) ^ -(raw & 1), pos


def records(data: bytes, start: int = 0) -> list[tuple[int, bytes | None]]:
    """(offset, value) of the records in a fetch's record set, from offset `start` on.

    A fetch may end in the middle of a batch (its byte limit): that batch is left for the
    next fetch. Control batches (transaction markers) hold no events."""
    found: list[tuple[int, bytes | None]] = []
    pos, size = 0, len(data)
    view = memoryview(data)
    while pos + HEADER_SIZE <= size:
        header: tuple[Any, ...] = HEADER.unpack_from(data, pos)
        base, length, magic, crc, attributes = (int(header[0]), int(header[1]),
                                                int(header[3]), int(header[4]),
                                                int(header[5]))
        last_delta, count = int(header[6]), int(header[12])
        end = pos + 12 + length
        if end > size:
            break
        if magic != 2:
            raise Unreadable(f"record batch format v{magic}")
        if calc_crc32c(view[pos + CRC_FROM:end]) != crc:
            raise Unreadable(f"record batch at offset {base} failed its CRC check")
        body: bytes = data[pos + HEADER_SIZE:end]
        pos = end
        if attributes & CONTROL or base + last_delta < start:
            continue
        if attributes & COMPRESSION:
            body = decompress(attributes & COMPRESSION, body)
        p = 0
        for _ in range(count):
            length, p = varint(body, p)
            stop = p + length
            _, p = varint(body, p + 1)  # after the attributes byte: the timestamp delta
            delta, p = varint(body, p)
            key_length, p = varint(body, p)
            if key_length > 0:
                p += key_length
            value_length, p = varint(body, p)
            if base + delta >= start:
                found.append((base + delta,
                               body[p:p + value_length] if value_length >= 0 else None))
            p = stop
    return found


def decoded(topic: str, partition: int, taken: list[tuple[int, bytes | None]]) -> list[Record]:
    """The records' envelopes (orjson): one that is not a JSON object still advances the
    offset, as an empty envelope the runner skips."""
    out: list[Record] = []
    for offset, value in taken:
        out.append(Record(partition, offset, envelope(topic, partition, offset, value)))
    return out


def envelope(topic: str, partition: int, offset: int, value: bytes | None) -> dict[str, Any]:
    if value is None:
        return {}
    try:
        found = envelope_json(value)
    except orjson.JSONDecodeError:
        log.warning("skipping undecodable record %s/%s@%s", topic, partition, offset)
        return {}
    return found if isinstance(found, dict) else {}
