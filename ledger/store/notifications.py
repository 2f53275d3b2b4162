"""From the store's notification log to public envelopes, without building domain objects."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson

from ledger.domain.events import make_envelope


def type_of(topic: str) -> str:
    """`ledger.domain.subject_events:PenaltyImposed` -> `PenaltyImposed`."""
    return topic.rpartition(":")[2].rpartition(".")[2]


def envelope_from_stored(
    topic: str, originator_id: UUID | str, version: int, state: bytes, position: int | None,
) -> dict[str, Any]:
    """The envelope exactly as hashed at creation; the stored state is the ledger's own JSON."""
    fields = orjson.loads(state)
    env = make_envelope(type_of(topic), int(fields.get("class_version", 1)), str(originator_id),
                        version, fields["timestamp"], fields)
    if position is not None:
        env["position"] = position
    return env


class UnreadableEvent(ValueError):
    """A stored row that is not even an event (bytes changed by hand, say)."""


def read_stored(topic: str, originator_id: UUID | str, version: int, state: bytes,
                position: int | None) -> dict[str, Any]:
    """envelope_from_stored, with any failure to read the row as one UnreadableEvent."""
    try:
        return envelope_from_stored(topic, originator_id, version, state, position)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise UnreadableEvent("stored state cannot be read as an event "
                              f"({type(e).__name__})") from None


def envelope_from_notification(notification: Any) -> dict[str, Any]:
    """A notification (id, originator_id, originator_version, topic, state) as an envelope."""
    return envelope_from_stored(notification.topic, notification.originator_id,
                                notification.originator_version, notification.state,
                                notification.id)
