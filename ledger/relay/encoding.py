"""Kafka records from notification rows: the public envelope, byte for byte, built cheaply.

The result equals ``orjson.dumps(envelope_from_notification(n))`` (a unit test holds it to
that); it is inlined here because the relay spends most of its own time on these lines.
"""

from __future__ import annotations

from hashlib import sha1

import orjson

from ledger.domain.events import STREAM_NAMESPACE
from ledger.notifications import type_of
from ledger.relay.reading import Row

# (key, value, type header, position): one Kafka record.
Record = tuple[bytes, bytes, bytes, int]

_NAMESPACE = STREAM_NAMESPACE.bytes
_types: dict[str, tuple[str, bytes]] = {}


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def event_id(stream: str, version: int) -> str:
    """uuid5(STREAM_NAMESPACE, "stream/version") as text, without building UUID objects."""
    h = sha1(_NAMESPACE + f"{stream}/{version}".encode()).hexdigest()
    # RFC 4122: version nibble 5, variant bits 10.
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def type_names(topic: str) -> tuple[str, bytes]:
    names = _types.get(topic)
    if names is None:
        name = type_of(topic)
        names = _types[topic] = (name, name.encode())
    return names


def encode(rows: list[Row]) -> list[Record]:
    """One record per row: key = subject code, value = envelope JSON, header = event type."""
    loads, dumps = orjson.loads, orjson.dumps
    records = []
    for position, stream, version, topic, state in rows:
        fields = loads(state)
        type_name, type_bytes = type_names(topic)
        subject = fields["subject"]
        value = dumps({
            "id": event_id(stream, version),
            "type": type_name,
            "schema_version": int(fields.get("class_version", 1)),
            "subject": subject,
            "stream": stream,
            "version": version,
            "occurred_at": fields["occurred_at"],
            "recorded_at": fields["timestamp"],
            "authority": fields["authority"],
            "actor": fields["actor"],
            "data": fields["data"],
            "prev_hash": fields["prev_hash"],
            "hash": fields["hash"],
            "position": position,
        })
        records.append((subject.encode(), value, type_bytes, position))
    return records
