"""Domain events: one class per fact, each carrying its place in a hash chain.

Every event stores the same envelope fields; the fact itself lives in ``data``
as JSON-native values (dates as ISO strings, amounts as decimal strings), so the
hash an auditor recomputes is over exactly what is stored and published.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.domain.envelope import envelope_hash

STREAM_NAMESPACE = uuid5(NAMESPACE_URL, "https://credit-ledger.example/streams")


def stream_id(kind: str, key: str) -> UUID:
    """The deterministic stream (aggregate) id for a subject code or a case key."""
    return uuid5(STREAM_NAMESPACE, f"{kind}:{key}")


def event_id(stream: str, version: int) -> str:
    return str(uuid5(STREAM_NAMESPACE, f"{stream}/{version}"))


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


class LedgerEvent(Aggregate.Event):
    """Base of every ledger event: envelope fields plus the fact in ``data``."""

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
            object.__setattr__(self, "hash", envelope_hash(self.envelope()))

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
