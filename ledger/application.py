"""The ledger application: use cases that get, decide and save, with retries on conflict."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InternalError,
    Transcoder,
)

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import AlreadyExists, Conflict, NotFound
from ledger.domain.events import LedgerEvent
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject, subject_stream
from ledger.privacy import redact
from ledger.store.recording import binary_inserts, insert_columns, position_of
from ledger.store.transcoder import OrjsonTranscoder, to_columns

T = TypeVar("T")


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


class CreditLedger(Application[UUID]):
    """Records facts about credit subjects as hash-chained events."""

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
        # Every application in a PostgreSQL schema re-creates the library's shared composite
        # type and insert function at start; two processes starting at once can collide
        # ("tuple concurrently updated", duplicate pg_type). The statements are idempotent.
        for attempt in range(5):
            try:
                return binary_inserts(super().construct_recorder())
            except (InternalError, IntegrityError):
                if attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

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

    # -- writing ---------------------------------------------------------------

    def register(
        self, *, code: str, name: str, kind: str, masked: str | None, authority: str, actor: str,
        registered_on: date | None = None, code_check_failed: bool = False,
    ) -> Receipt:
        if self.has_subject(code):
            existing = self.subject(code)
            if existing.registration_matches(name, kind):
                return self._receipt_for(existing, 1, created=False)
            raise AlreadyExists(f"subject {code} is already registered as "
                                f"{existing.kind} {existing.name!r}", field="code")
        subject = Subject.register(
            code=code, name=name, kind=kind, masked=masked, authority=authority, actor=actor,
            registered_on=registered_on or self.clock(), code_check_failed=code_check_failed)
        try:
            recordings = self.save(subject)
        except IntegrityError:
            return self.register(code=code, name=name, kind=kind, masked=masked,
                                 authority=authority, actor=actor, registered_on=registered_on,
                                 code_check_failed=code_check_failed)
        return self._receipt_from(subject, recordings, created=True)

    def record(self, events: Sequence[LedgerEvent]) -> None:
        """Store new events of many subjects in one transaction: save() for bulk writers.

        The same insert as save(), without what save() builds for its callers (a Recording
        per event, and per aggregate the runtime protocol checks); the importer needs none.
        """
        if self.repository.cache or self.snapshots:
            self.save(*events)  # keep what save() does for cached or snapshotted aggregates
            return
        insert_columns(self.recorder, to_columns(self.mapper, events))

    def execute(self, code: str, decide: Callable[[Subject], T]) -> tuple[Receipt, T]:
        """Get the subject, decide (the aggregate enforces the rules), save; retry on conflict."""
        for _ in range(self.conflict_retries + 1):
            subject = self.subject(code)
            outcome = decide(subject)
            version: Any = outcome[0] if isinstance(outcome, tuple) else outcome
            if not subject.pending_events:
                return self._receipt_for(subject, int(version), created=False), outcome
            first_new = subject.pending_events[0].originator_version
            try:
                recordings = self.save(subject)
            except IntegrityError:
                continue  # another writer saved this subject first: decide again on fresh state
            return self._receipt_from(subject, recordings, created=True,
                                      index=int(version) - first_new), outcome
        raise Conflict(f"subject {code} is being written concurrently; retry the request")

    # -- receipts --------------------------------------------------------------

    def _receipt_from(self, subject: Subject, recordings: list[Any], *, created: bool,
                      index: int = 0) -> Receipt:
        event = recordings[index].domain_event
        assert isinstance(event, LedgerEvent)
        return Receipt(recordings[index].notification.id, str(subject.id),
                       event.originator_version, type(event).__name__, event.hash, created)

    def _receipt_for(self, subject: Subject, version: int, *, created: bool) -> Receipt:
        events = list(self.events.get(subject.id, gt=version - 1, lte=version))
        event = events[0]
        assert isinstance(event, LedgerEvent)
        return Receipt(position_of(self.recorder, subject.id, version), str(subject.id), version,
                       type(event).__name__, event.hash, created)
