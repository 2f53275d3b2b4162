"""Reading a Kafka range in a child process, so that fetching overlaps applying.

kafka-python parses record batches in pure Python: on a rebuild that is about as much CPU
as the views themselves. A child process consumes the range [start, end) of each partition
and writes raw values in bulk to its stdout (a header of four lengths, then partitions,
offsets, value lengths and the values); the parent decodes them with orjson and applies them.
The pipe holds about one batch: memory stays bounded and the child never runs far ahead.
The child is a plain `python -m projections.prefetch`, so no main module is re-imported.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from array import array
from collections.abc import Iterator, Mapping
from typing import IO

import orjson

from projections.feed import Record, envelope_json

HEADER = struct.Struct("<IIII")


def send(out: IO[bytes], parts: bytes, offsets: bytes, lengths: bytes, values: bytes) -> None:
    out.write(HEADER.pack(len(parts), len(offsets), len(lengths), len(values)))
    for chunk in (parts, offsets, lengths, values):
        out.write(chunk)
    out.flush()


def pump(bootstrap: str, topic: str, start: Mapping[int, int], end: Mapping[int, int],
         batch: int, out: IO[bytes]) -> None:
    """Child process: send (partitions, offsets, lengths, values) per poll, then an empty one."""
    from kafka import KafkaConsumer, TopicPartition

    from projections.kafka_feed import consumer_config

    consumer = KafkaConsumer(**consumer_config(bootstrap, client_id="credit-ledger-prefetch"))
    tps = {p: TopicPartition(topic, p) for p in start if start[p] < end.get(p, 0)}
    consumer.assign(list(tps.values()))
    for p, tp in tps.items():
        consumer.seek(tp, start[p])
    remaining = set(tps)
    while remaining:
        parts, offsets, lengths, values = array("i"), array("q"), array("I"), []
        for tp, messages in consumer.poll(timeout_ms=1000, max_records=batch).items():
            limit = end[tp.partition]
            for m in messages:
                if m.offset >= limit:
                    break
                parts.append(tp.partition)
                offsets.append(m.offset)
                lengths.append(len(m.value))
                values.append(m.value)
            if messages and messages[-1].offset + 1 >= limit:
                remaining.discard(tp.partition)
                consumer.pause(tp)
        if values:
            send(out, parts.tobytes(), offsets.tobytes(), lengths.tobytes(), b"".join(values))
    send(out, b"", b"", b"", b"")
    consumer.close()


def decode(message: tuple[bytes, bytes, bytes, bytes]) -> list[Record]:
    parts, offsets, lengths, blob = (array("i", message[0]), array("q", message[1]),
                                     array("I", message[2]), memoryview(message[3]))
    records, at = [], 0
    escape = b"\\u0000" in message[3]  # rare: then each record is checked (feed.envelope_json)
    for p, o, n in zip(parts, offsets, lengths, strict=True):
        try:
            raw = blob[at:at + n]
            envelope = envelope_json(raw.tobytes()) if escape else orjson.loads(raw)
        except orjson.JSONDecodeError:
            envelope = {}  # an unusable record still advances its offset
        records.append(Record(p, o, envelope if isinstance(envelope, dict) else {}))
        at += n
    return records


def receive(stream: IO[bytes]) -> tuple[bytes, bytes, bytes, bytes] | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise RuntimeError("the Kafka prefetch process died")
    sizes = HEADER.unpack(header)
    if not any(sizes):
        return None
    parts, offsets, lengths, values = (stream.read(n) for n in sizes)
    return parts, offsets, lengths, values


class Prefetch:
    """Batches of records in [start, end) per partition, read by a child process that starts
    at once (so the caller can work meanwhile); iterate, then close."""

    def __init__(self, bootstrap: str, topic: str, start: Mapping[int, int],
                 end: Mapping[int, int], batch: int) -> None:
        spec = orjson.dumps({"bootstrap": bootstrap, "topic": topic, "batch": batch,
                             "start": {str(p): o for p, o in start.items()},
                             "end": {str(p): o for p, o in end.items()}})
        self.child = subprocess.Popen([sys.executable, "-m", "projections.prefetch",
                                       spec.decode()], stdout=subprocess.PIPE, bufsize=1 << 20)

    def __iter__(self) -> Iterator[list[Record]]:
        assert self.child.stdout is not None
        while (message := receive(self.child.stdout)) is not None:
            yield decode(message)

    def close(self) -> None:
        assert self.child.stdout is not None
        self.child.stdout.close()
        if self.child.poll() is None:
            self.child.terminate()
        self.child.wait(timeout=10)


def main() -> None:
    spec = orjson.loads(sys.argv[1])
    pump(spec["bootstrap"], spec["topic"], {int(p): o for p, o in spec["start"].items()},
         {int(p): o for p, o in spec["end"].items()}, spec["batch"], sys.stdout.buffer)


if __name__ == "__main__":
    main()
