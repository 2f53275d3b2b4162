"""The public envelopes of stored rows of the notification log, for the store's feed.

The per-event half of `projections.store_feed`, kept apart so that it can be compiled
(projections.compiled; nothing patches it). An envelope equals
ledger.notifications.envelope_from_stored (tests/unit/test_store_feed.py holds them equal);
the event id is ledger.domain.events.event_id, its UUIDv5 text built inline here.
"""

from __future__ import annotations

from hashlib import sha1
from typing import Any

import orjson

from ledger.domain.events import STREAM_NAMESPACE
from ledger.relay.encoding import type_names
from ledger.relay.reading import ShareRow
from projections.feed import Record

PARTITION = 0
_NAMESPACE: bytes = STREAM_NAMESPACE.bytes
_VARIANT = "89ab89ab89ab89ab"  # RFC 4122 variant bits 10, by the hex digit they replace
_HEX = "0123456789abcdef"


def event_id(stream: str, version: int) -> str:
    """ledger.domain.events.event_id: str(uuid5(STREAM_NAMESPACE, f"{stream}/{version}"))."""
    h = sha1(_NAMESPACE + f"{stream}/{version}".encode()).hexdigest()
    variant = _VARIANT[_HEX.index(h[16])]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def envelope(row: ShareRow) -> dict[str, Any]:
    """The public envelope of a stored row; {} for an event of another share (no state),
    which advances the offset and is skipped."""
    position, stream, version, topic, state = row
    if state is None:
        return {}
    fields: dict[str, Any] = orjson.loads(state)
    return {
        "id": event_id(stream, version), "type": type_names(topic)[0],
        "schema_version": int(fields.get("class_version", 1)), "subject": fields["subject"],
        "stream": stream, "version": version, "occurred_at": fields["occurred_at"],
        "recorded_at": fields["timestamp"], "authority": fields["authority"],
        "actor": fields["actor"], "data": fields["data"], "prev_hash": fields["prev_hash"],
        "hash": fields["hash"], "position": position,
    }


def records(rows: list[ShareRow]) -> list[Record]:
    out: list[Record] = []
    for row in rows:
        out.append(Record(PARTITION, row[0], envelope(row)))
    return out
