"""The one way every ledger aggregate records a fact: a typed event, sealed into the chain.

Subjects, repair cases and joint cases all start with `_start` and record with `_record`:
an event class and its typed payload fields (`ledger/domain/payload.py`), who records it and
its business date. Both go through the library's documented path, `_create` (protected,
shown in its docs for explicit created events) and `trigger_event`
(the event checked against the aggregate, applied, its version and time taken, then pending);
no attribute of the library's own is read or written here. Each passes the event's timestamp
and its sealed hash (docs/events.md), which need only the next version, known beforehand:
the aggregate holds its stream's text, which the event would otherwise rebuild from the UUID
on every event (docs/adr/018).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.domain.events import LedgerCreated, LedgerEvent, seal


class LedgerAggregate(Aggregate):
    """Base of the ledger's aggregates: a hash chain of typed events about one subject code."""

    last_hash: str

    def __init__(self) -> None:
        # State starts empty; the first event fills in the rest.
        self._stream = str(self.id)  # as in every envelope; str(UUID) is slow
        self.last_hash = ""

    def envelope_subject(self) -> str:
        """The envelope's `subject`: the code of the subject these events are about."""
        raise NotImplementedError

    @classmethod
    def _start(cls, event_class: type[LedgerCreated], stream: UUID, *, subject: str,
               on: date, authority: str, actor: str, extra: dict[str, Any] | None = None,
               **payload: Any) -> Self:
        """A new aggregate, from its first event."""
        timestamp, occurred_at = event_class.create_timestamp(), on.isoformat()
        data = event_class.data_of(extra, **payload)
        return cls._create(
            event_class, id=stream, timestamp=timestamp, subject=subject, authority=authority,
            actor=actor, occurred_at=occurred_at, data=data, prev_hash="",
            hash=seal(event_class, str(stream), cls.INITIAL_VERSION, timestamp, subject,
                      occurred_at, authority, actor, data, ""))

    def _record(self, event_class: type[LedgerEvent], on: date, authority: str, actor: str,
                extra: dict[str, Any] | None = None, /, **payload: Any) -> int:
        """Record the next fact, given its typed fields; answers its version."""
        return self._record_data(event_class, on, authority, actor,
                                 event_class.data_of(extra, **payload))

    def _record_data(self, event_class: type[LedgerEvent], on: date, authority: str,
                     actor: str, data: dict[str, Any]) -> int:
        """Record the next fact, its data built by `event_class.data_of`."""
        version, timestamp = self.version + 1, event_class.create_timestamp()
        subject, occurred_at, prev_hash = self.envelope_subject(), on.isoformat(), self.last_hash
        self.trigger_event(
            event_class, timestamp=timestamp, subject=subject, authority=authority, actor=actor,
            occurred_at=occurred_at, data=data, prev_hash=prev_hash,
            hash=seal(event_class, self._stream, version, timestamp, subject, occurred_at,
                      authority, actor, data, prev_hash))
        return version
