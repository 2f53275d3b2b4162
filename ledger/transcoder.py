"""Stored event state as plain JSON (orjson): fast, and readable by the relay without decoding."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic


class OrjsonTranscoder(Transcoder):
    """Every ledger event's state is JSON-native except its timestamp, kept as ISO 8601."""

    def encode(self, obj: Any) -> bytes:
        ts = obj.get("timestamp")
        # orjson writes a UTC datetime exactly as isoformat() does: no copy, no str.
        if isinstance(ts, datetime) and ts.tzinfo is not UTC:
            obj = dict(obj, timestamp=ts.isoformat())
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        state = orjson.loads(data)
        ts = state.get("timestamp")
        if isinstance(ts, str):
            state["timestamp"] = datetime.fromisoformat(ts)
        return state


_topics: dict[type, str] = {}


def to_stored_events(mapper: Mapper[Any], events: Sequence[Any]) -> list[StoredEvent]:
    """[mapper.to_stored_event(e) for e in events], the same bytes, in fewer steps per event."""
    if mapper.compressor or mapper.cipher or not isinstance(mapper.transcoder, OrjsonTranscoder):
        return [mapper.to_stored_event(e) for e in events]
    encode, stored = mapper.transcoder.encode, []
    for event in events:
        cls = type(event)
        topic = _topics.get(cls) or _topics.setdefault(cls, get_topic(cls))
        state = vars(event).copy()
        originator_id, version = state.pop("originator_id"), state.pop("originator_version")
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        stored.append(StoredEvent(originator_id, version, topic, encode(state)))
    return stored
