"""Stored event state as plain JSON (orjson): fast, and readable by the relay without decoding."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.persistence import Mapper, Transcoder
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
# Stored events as four columns: originator ids, versions, topics, states.
Columns = tuple[list[Any], list[int], list[str], list[bytes]]


def to_columns(mapper: Mapper[Any], events: Sequence[Any]) -> Columns:
    """What mapper.to_stored_event makes of each event (the same bytes), as columns."""
    ids: list[Any] = []
    versions: list[int] = []
    topics: list[str] = []
    states: list[bytes] = []
    if mapper.compressor or mapper.cipher or not isinstance(mapper.transcoder, OrjsonTranscoder):
        for stored in map(mapper.to_stored_event, events):
            ids.append(stored.originator_id)
            versions.append(stored.originator_version)
            topics.append(stored.topic)
            states.append(stored.state)
        return ids, versions, topics, states
    encode = mapper.transcoder.encode
    for event in events:
        cls = type(event)
        state = vars(event).copy()
        ids.append(state.pop("originator_id"))
        versions.append(state.pop("originator_version"))
        topics.append(_topics.get(cls) or _topics.setdefault(cls, get_topic(cls)))
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        states.append(encode(state))
    return ids, versions, topics, states
