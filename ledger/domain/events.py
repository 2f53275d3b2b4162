"""Domain events: one class per fact, each carrying its place in a hash chain.

Every event stores the same envelope fields; the fact itself lives in ``data``
as JSON-native values (dates as ISO strings, amounts as decimal strings), so the
hash an auditor recomputes is over exactly what is stored and published.
"""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha1, sha256
from typing import Any, Self
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import Aggregate

from ledger.domain.payload import Payload

STREAM_NAMESPACE = uuid5(NAMESPACE_URL, "https://credit-ledger.example/streams")
_NAMESPACE = STREAM_NAMESPACE.bytes
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
_SORTED = orjson.OPT_SORT_KEYS


def stream_id(kind: str, key: str) -> UUID:
    """The deterministic stream (aggregate) id for a subject code or a case key."""
    # uuid5(STREAM_NAMESPACE, ...), the namespace's bytes taken once
    return UUID(bytes=sha1(_NAMESPACE + f"{kind}:{key}".encode()).digest()[:16], version=5)


def uuid5_text(namespace: bytes, name: str) -> str:
    """str(uuid5(UUID(bytes=namespace), name)), without building UUID objects (far cheaper)."""
    h = sha1(namespace + name.encode()).hexdigest()
    # RFC 4122: version nibble 5, variant bits 10.
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def event_id(stream: str, version: int) -> str:
    return uuid5_text(_NAMESPACE, f"{stream}/{version}")


def seal(cls: type, stream: str, version: int, recorded_at: datetime, subject: str,
         occurred_at: str, authority: str, actor: str, data: dict[str, Any], prev_hash: str
         ) -> str:
    """The event's hash: envelope_hash of its envelope, the hashed fields built directly."""
    body = {
        "id": event_id(stream, version), "type": cls.__name__,
        "schema_version": getattr(cls, "class_version", 1), "subject": subject,
        "stream": stream, "version": version, "occurred_at": occurred_at,
        # orjson writes a UTC datetime exactly as isoformat() does, without the str.
        "recorded_at": recorded_at if recorded_at.tzinfo is UTC else recorded_at.isoformat(),
        "authority": authority, "actor": actor, "data": data, "prev_hash": prev_hash,
    }
    return sha256(orjson.dumps(body, option=_SORTED)).hexdigest()


def make_envelope(
    type_name: str, schema_version: int, stream: str, version: int, recorded_at: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """The public envelope of one event (without position), as published on Kafka."""
    return {
        "id": event_id(stream, version),
        "type": type_name,
        "schema_version": schema_version,
        "subject": fields["subject"],
        "stream": stream,
        "version": version,
        "occurred_at": fields["occurred_at"],
        "recorded_at": recorded_at,
        "authority": fields["authority"],
        "actor": fields["actor"],
        "data": fields["data"],
        "prev_hash": fields["prev_hash"],
        "hash": fields["hash"],
    }


class LedgerEvent(Aggregate.Event, Payload):
    """Base of every ledger event: envelope fields plus the fact in ``data``, whose keys each
    class declares as typed fields (`ledger/domain/payload.py`).

    Versioned by the library's mechanism: a class whose payload changes shape sets
    `class_version = N` and `upcast_vK_vK1(state)` static methods, which the mapper applies to
    stored events as it reads them. Envelopes and hashes are always rebuilt from the stored
    JSON (`ledger/store/notifications.py`), never from an upcast object, so upcasting never touches
    what auditors verify.
    """

    subject: str
    authority: str
    actor: str
    occurred_at: str
    data: dict[str, Any]
    prev_hash: str
    hash: str

    def __post_init__(self) -> None:
        # Events are built with hash="" and sealed here, once, at creation.
        if not self.hash:
            object.__setattr__(self, "hash", seal(
                type(self), str(self.originator_id), self.originator_version, self.timestamp,
                self.subject, self.occurred_at, self.authority, self.actor, self.data,
                self.prev_hash))

    @classmethod
    def sealed(cls, originator_id: UUID, stream: str, version: int, *, subject: str,
               authority: str, actor: str, occurred_at: str, data: dict[str, Any],
               prev_hash: str, topic: str | None = None) -> Self:
        """A new sealed event, as trigger_event or _create (given the aggregate's topic) would
        build it, minus their generic steps.

        Built like the mapper rebuilds stored events (the state set as a whole): the fields
        in the dataclass's order, so the stored state is byte for byte the same.
        """
        timestamp = cls.create_timestamp()
        state = {"originator_id": originator_id, "originator_version": version,
                 "timestamp": timestamp}
        if topic is not None:
            state["originator_topic"] = topic
        state["subject"], state["authority"], state["actor"] = subject, authority, actor
        state["occurred_at"], state["data"], state["prev_hash"] = occurred_at, data, prev_hash
        state["hash"] = seal(cls, stream, version, timestamp, subject, occurred_at, authority,
                             actor, data, prev_hash)
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def apply(self, aggregate: Any) -> None:
        aggregate.last_hash = self.hash
        self.evolve(aggregate)

    def evolve(self, aggregate: Any) -> None:
        """How this fact changes its aggregate's state."""

    def envelope(self, position: int | None = None) -> dict[str, Any]:
        env = make_envelope(
            type(self).__name__, getattr(type(self), "class_version", 1),
            str(self.originator_id), self.originator_version, self.timestamp.isoformat(),
            vars(self),
        )
        if position is not None:
            env["position"] = position
        return env


class LedgerCreated(Aggregate.Created, LedgerEvent):
    """Base of the first event of a stream."""
