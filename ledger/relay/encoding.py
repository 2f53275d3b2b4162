"""Kafka records from notification rows: the public envelope, byte for byte, built cheaply.

The result equals ``orjson.dumps(envelope_from_notification(n))`` (a unit test holds it to
that); it is inlined here because the relay spends most of its own time on these lines.
"""

from __future__ import annotations

import orjson

from ledger.domain.events import event_id
from ledger.relay.reading import Row
from ledger.store.notifications import type_of

# (key, value, type header, position): one Kafka record.
Record = tuple[bytes, bytes, bytes, int]

_types: dict[str, tuple[str, bytes]] = {}


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
