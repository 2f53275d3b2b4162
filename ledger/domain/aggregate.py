"""The one way every ledger aggregate records a fact: a typed event, sealed into the chain.

Subjects, repair cases and joint cases all start with `_start` and record with `_record`:
an event class and its typed payload fields (`ledger/domain/payload.py`), who records it and
its business date. Both do what the library's `_create` and `trigger_event` do (the next
version, the event applied, then pending), without their generic per-event checks: the
event is ours and next by construction. Measured here, the library's path costs 7–10 µs
more per event (about a third of deciding one), which the bulk import pays per row
(docs/adr/018).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.domain.events import LedgerEvent


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
    def _start(cls, event_class: type[LedgerEvent], stream: UUID, *, subject: str,
               on: date, authority: str, actor: str, extra: dict[str, Any] | None = None,
               **payload: Any) -> Self:
        """A new aggregate, from its first event."""
        event = event_class.sealed(
            stream, str(stream), cls.INITIAL_VERSION, subject=subject, authority=authority,
            actor=actor, occurred_at=on.isoformat(), data=event_class.data_of(extra, **payload),
            prev_hash="", topic=get_topic(cls))
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(stream, cls.INITIAL_VERSION, event.timestamp)
        aggregate.__init__()  # type: ignore[misc]
        event.apply(aggregate)
        aggregate._pending_events.append(event)
        return aggregate

    def _record(self, event_class: type[LedgerEvent], on: date, authority: str, actor: str,
                extra: dict[str, Any] | None = None, /, **payload: Any) -> int:
        """Record the next fact, given its typed fields; answers its version."""
        return self._record_data(event_class, on, authority, actor,
                                 event_class.data_of(extra, **payload))

    def _record_data(self, event_class: type[LedgerEvent], on: date, authority: str,
                     actor: str, data: dict[str, Any]) -> int:
        """Record the next fact, its data built by `event_class.data_of`."""
        version = self._version + 1
        event = event_class.sealed(
            self._id, self._stream, version, subject=self.envelope_subject(), authority=authority,
            actor=actor, occurred_at=on.isoformat(), data=data, prev_hash=self.last_hash)
        event.apply(self)
        self._version, self._modified_on = version, event.timestamp
        self._pending_events.append(event)
        return version
