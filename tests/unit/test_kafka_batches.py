"""Record batches read by projections.kafka_batches give what kafka-python reads from them.

Batches are built with kafka-python's own builder (the producer's), so the two readers are
held to the same bytes: every codec the reader takes, keys, headers, null values, batches
cut short by a fetch's byte limit, control batches and damaged ones.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import pytest
from crc32c import crc32c
from kafka.record import MemoryRecords
from kafka.record.default_records import DefaultRecordBatchBuilder as Builder

from projections.kafka_batches import CRC_FROM, Unreadable, records


def batch(base: int, values: Sequence[bytes | None], codec: int = Builder.CODEC_NONE,
          *, headers: bool = False) -> bytes:
    builder = Builder(magic=2, compression_type=codec, is_transactional=False,
                      producer_id=-1, producer_epoch=-1, base_sequence=-1, batch_size=1 << 20)
    for delta, value in enumerate(values):
        builder.append(delta, timestamp=1_700_000_000_000 + delta,
                       key=f"subject-{delta}".encode() if delta % 2 else None, value=value,
                       headers=[("type", b"Listed"), ("empty", None)] if headers else [])
    built = bytearray(builder.build())
    struct.pack_into(">q", built, 0, base)  # the broker's offset (outside the CRC)
    return bytes(built)


def as_control(built: bytes) -> bytes:
    """The batch marked a control batch (a transaction marker), its CRC made right again."""
    out = bytearray(built)
    attributes = struct.unpack_from(">h", out, 21)[0] | 0x20
    struct.pack_into(">h", out, 21, attributes)
    struct.pack_into(">I", out, 17, crc32c(bytes(out[CRC_FROM:])))
    return bytes(out)


def by_kafka_python(data: bytes) -> list[tuple[int, bytes | None]]:
    found: list[tuple[int, bytes | None]] = []
    memory = MemoryRecords(data)
    while (b := memory.next_batch()) is not None:
        if not b.is_control_batch:
            found.extend((r.offset, r.value) for r in b)
    return found


VALUES = [b'{"type": "Listed", "n": %d}' % i + b"x" * (i * 37 % 300) for i in range(40)]


@pytest.mark.parametrize("codec", [Builder.CODEC_NONE, Builder.CODEC_GZIP, Builder.CODEC_LZ4])
def test_every_record_of_several_batches_as_kafka_python_reads_them(codec: int) -> None:
    data = (batch(100, VALUES[:15], codec, headers=True) + batch(115, VALUES[15:], codec)
            + batch(140, [None, b"{}"], codec))
    assert list(records(data)) == by_kafka_python(data)
    assert [o for o, _ in records(data)] == list(range(100, 142))
    assert list(records(data))[40] == (140, None)  # a null value stays None


def test_records_before_the_start_offset_are_skipped_even_inside_a_batch() -> None:
    data = batch(0, VALUES[:10]) + batch(10, VALUES[10:20])
    assert [o for o, _ in records(data, start=7)] == list(range(7, 20))
    assert [o for o, _ in records(data, start=15)] == list(range(15, 20))


def test_a_batch_cut_off_by_the_fetch_limit_is_left_for_the_next_fetch() -> None:
    first, second = batch(0, VALUES[:5]), batch(5, VALUES[5:10])
    for cut in (1, 30, len(second) - 1):
        assert [o for o, _ in records(first + second[:cut])] == [0, 1, 2, 3, 4]


def test_control_batches_carry_no_records() -> None:
    data = batch(0, VALUES[:3]) + as_control(batch(3, [b"\x00\x00\x00\x00"])) + \
        batch(4, VALUES[3:5])
    assert [o for o, _ in records(data)] == [0, 1, 2, 4, 5]


def test_a_damaged_batch_is_refused_not_read() -> None:
    data = bytearray(batch(0, VALUES[:5]))
    data[-3] ^= 0xFF
    with pytest.raises(Unreadable, match="CRC"):
        list(records(bytes(data)))


def test_a_codec_it_does_not_read_sends_the_caller_to_the_consumer() -> None:
    data = bytearray(batch(0, VALUES[:3]))
    struct.pack_into(">h", data, 21, Builder.CODEC_ZSTD)  # claims zstd
    struct.pack_into(">I", data, 17, crc32c(bytes(data[CRC_FROM:])))
    with pytest.raises(Unreadable, match="codec 4"):
        list(records(bytes(data)))
