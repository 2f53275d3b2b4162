"""What every use case shares: the store, receipts, and the one decide-and-retry helper."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Transcoder,
)
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import get_topic

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import Conflict, NotFound
from ledger.domain.events import LedgerEvent
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject, subject_stream
from ledger.privacy import redact
from ledger.store.recording import LedgerRecorder, insert_columns, position_of
from ledger.store.sql import creating
from ledger.store.tables import make_store_tables
from ledger.store.transcoder import OrjsonTranscoder, to_columns

A = TypeVar("A", bound=Aggregate)


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Receipt:
    """What a write answers: where the fact sits in the global order and in its stream."""

    position: int
    stream: str
    version: int
    type: str
    hash: str
    created: bool
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class By:
    """Who records: the department (USCC) and a log-safe actor name; an admin may act for any
    authority on records another one owns."""

    authority: str
    actor: str
    any_authority: bool = False

    def kw(self) -> dict[str, str]:
        return {"authority": self.authority, "actor": self.actor}


@dataclass(frozen=True)
class Rules:
    """What a decision is taken against besides the aggregate: today, the calendar, the policy."""

    today: date
    calendar: WorkingCalendar
    policy: RepairPolicy


@dataclass
class Decision(Generic[A]):
    """What a use case decided: the aggregate whose fact the receipt names, which version holds
    it (None: the aggregate's last), other aggregates changed in the same save, and what the
    receipt adds (a new listing's id, a penalty's publicity window)."""

    aggregate: A
    version: int | None = None
    also: Sequence[Aggregate] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class LedgerCore(Application[UUID]):
    """The event store and its receipts; use cases (subclasses) decide through `_decide`."""

    name = "CreditLedger"

    def __init__(
        self, env: Mapping[str, str] | None = None, *, name: str = "CreditLedger",
        calendar: WorkingCalendar | None = None, clock: Callable[[], date] = utc_today,
        conflict_retries: int = 3, policy: RepairPolicy | None = None,
    ) -> None:
        self.name = name
        self.calendar = calendar or WorkingCalendar.default()
        # Listing and repair rules (notice, periods, conduct codes): LEDGER_REPAIR_POLICY_FILE.
        self.policy = policy or RepairPolicy()
        self.clock = clock
        self.conflict_retries = conflict_retries
        super().__init__(dict(env) if env is not None else None)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_recorder(self) -> ApplicationRecorder:
        if isinstance(self.factory, PostgresFactory):
            # The library's switch for the recorder class; an explicit one in env wins.
            self.factory.env.setdefault(PostgresFactory.APPLICATION_RECORDER_TOPIC,
                                        get_topic(LedgerRecorder))
        # Processes starting at once can collide making the library's tables: retried.
        recorder = creating(super().construct_recorder)
        # Our own tables, where the library has just made its events table (docs/adr/034).
        make_store_tables(self.factory, recorder, self.name)
        return recorder

    # -- reading ---------------------------------------------------------------

    def subject(self, code: str) -> Subject:
        try:
            subject: Any = self.repository.get(subject_stream(code))
        except AggregateNotFoundError:
            raise NotFound(f"no subject with code {redact(code)!r}", field="code") from None
        assert isinstance(subject, Subject)
        return subject

    def has_subject(self, code: str) -> bool:
        return subject_stream(code) in self.repository

    def head_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def rules(self) -> Rules:
        return Rules(self.clock(), self.calendar, self.policy)

    def _get(self, kind: type[A], stream: str | UUID, what: str) -> A:
        """An aggregate of this kind, or NotFound naming `what` (an unknown or malformed id)."""
        try:
            found: Any = self.repository.get(UUID(str(stream)))
        except (AggregateNotFoundError, ValueError):
            found = None
        if not isinstance(found, kind):
            raise NotFound(f"no {what} {stream}", field="id")
        return found

    # -- writing ---------------------------------------------------------------

    def record(self, events: Sequence[LedgerEvent]) -> None:
        """Store new events of many subjects in one transaction: save() for bulk writers.

        The same insert as save(), without what save() builds for its callers (a Recording
        per event, and per aggregate the runtime protocol checks); the importer needs none.
        """
        if self.repository.cache or self.snapshots:
            self.save(*events)  # keep what save() does for cached or snapshotted aggregates
            return
        insert_columns(self.recorder, to_columns(self.mapper, events))

    def _decide(self, what: str, decide: Callable[[], Decision[A]]) -> tuple[Receipt, A]:
        """Get, decide, save (every changed aggregate in one transaction); on a concurrent write
        decide again on fresh state. A decision that records nothing (the same fact again, or
        the case that already exists) is answered with the event that holds it."""
        for _ in range(self.conflict_retries + 1):
            decision = decide()
            main = decision.aggregate
            if not main.pending_events:
                version = decision.version or main.version
                return self._receipt_for(main, version, decision.extra), main
            try:
                recordings = self.save(main, *decision.also)
            except IntegrityError:
                continue  # another writer saved first: decide again on what it recorded
            return self._receipt_from(main, recordings, decision), main
        raise Conflict(f"{what} is being written concurrently; retry the request")

    # -- receipts --------------------------------------------------------------

    def _receipt_from(self, main: Aggregate, recordings: list[Any], decision: Decision[Any]
                      ) -> Receipt:
        mine = [r for r in recordings if r.domain_event.originator_id == main.id]
        chosen = mine[-1] if decision.version is None else next(
            (r for r in mine if r.domain_event.originator_version == decision.version), None)
        if chosen is None:  # the decision names a version recorded before this save
            return self._receipt_for(main, decision.version or main.version, decision.extra)
        event = chosen.domain_event
        return Receipt(chosen.notification.id, str(main.id), event.originator_version,
                       type(event).__name__, event.hash, True, decision.extra)

    def _receipt_for(self, main: Aggregate, version: int, extra: dict[str, Any]) -> Receipt:
        event: Any = next(iter(self.events.get(main.id, gt=version - 1, lte=version)))
        try:
            position = position_of(self.recorder, main.id, version)
        except TypeError:  # the in-memory store of unit tests has no positions to look up
            position = 0
        return Receipt(position, str(main.id), version, type(event).__name__, event.hash, False,
                       extra)
