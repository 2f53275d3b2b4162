"""Stored event state as plain JSON (orjson): fast, and readable by the relay without decoding."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from eventsourcing.persistence import Transcoder


class OrjsonTranscoder(Transcoder):
    """Every ledger event's state is JSON-native except its timestamp, kept as ISO 8601."""

    def encode(self, obj: Any) -> bytes:
        ts = obj.get("timestamp")
        if isinstance(ts, datetime):
            obj = dict(obj, timestamp=ts.isoformat())
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        state = orjson.loads(data)
        ts = state.get("timestamp")
        if isinstance(ts, str):
            state["timestamp"] = datetime.fromisoformat(ts)
        return state
