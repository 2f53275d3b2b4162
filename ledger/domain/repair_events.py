"""The facts of a credit-repair case: their typed fields, and how each changes the case.

Every event's data repeats the case's target (`CaseEvent`'s fields), so a view counts
outcomes per domain from one event alone. Dates stay in the case's state as recorded (ISO
strings), as the officers' API shows them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.events import LedgerCreated, LedgerEvent
from ledger.domain.payload import Field
from ledger.domain.vocabulary import ListName, RepairStatus, Severity


class CaseEvent(LedgerEvent):
    """The target every repair event repeats."""

    case_id = Field(str)
    target_kind = Field(str)  # penalty or listing
    target_id = Field(str)  # the decision number, or the listing id
    target_authority = Field(str)
    domain = Field(str)
    list = Field(ListName, optional=True)
    severity = Field(Severity, optional=True)


class RepairApplied(LedgerCreated, CaseEvent):
    applied_on = Field(date)
    obligations_performed = Field(bool)
    evidence = Field(str, optional=True)
    commitment_id = Field(str, optional=True)

    def evolve(self, c: Any) -> None:
        d = self.data
        c.subject, c.case_id = self.subject, self.case_id
        c.target_kind, c.target_id = self.target_kind, self.target_id
        c.target_authority, c.domain = self.target_authority, self.domain
        c.list_name, c.severity = d.get("list"), d.get("severity")
        c.applied_on, c.obligations_performed = d["applied_on"], self.obligations_performed
        c.commitment_id = self.commitment_id
        c.status = RepairStatus.APPLIED


class RepairRefused(CaseEvent):
    """Inadmissible: the rule that failed, and every failure ({rule, message})."""

    refused_on = Field(date)
    rule = Field(str)
    reason = Field(str)
    failures = Field(list)

    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = RepairStatus.REFUSED, self.data["refused_on"]


class RepairAccepted(CaseEvent):
    accepted_on = Field(date)
    decision_due = Field(date)

    def evolve(self, c: Any) -> None:
        c.status, c.accepted_on = RepairStatus.ACCEPTED, self.data["accepted_on"]
        c.accepted_by = self.actor
        c.decision_due = self.data["decision_due"]


class RepairCommitmentLinked(CaseEvent):
    """The subject's own CommitmentMade (type repair) now backs this case."""

    commitment_id = Field(str)
    made_on = Field(date)

    def evolve(self, c: Any) -> None:
        c.commitment_id = self.commitment_id


class RepairTrainingCompleted(CaseEvent):
    completed_on = Field(date)
    provider = Field(str)
    certificate_no = Field(str, optional=True)

    def evolve(self, c: Any) -> None:
        c.trainings += 1


class RepairReportSubmitted(CaseEvent):
    """A third-party credit report backs the application."""

    issued_on = Field(date)
    agency = Field(str)
    report_no = Field(str)
    conclusion = Field(str, optional=True)

    def evolve(self, c: Any) -> None:
        c.reports += 1


class Decided(CaseEvent):
    """An approval or rejection: when, against which deadline, and when to inform by."""

    decided_on = Field(date)
    decision_due = Field(date)
    late = Field(bool)
    notify_due = Field(date)
    commitment_id = Field(str, optional=True)


class RepairApproved(Decided):
    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = RepairStatus.APPROVED, self.data["decided_on"]
        c.notify_due = self.data["notify_due"]


class RepairRejected(Decided):
    reasons = Field(list)

    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = RepairStatus.REJECTED, self.data["decided_on"]
        c.notify_due = self.data["notify_due"]


class RepairWithdrawn(CaseEvent):
    withdrawn_on = Field(date)
    reason = Field(str, optional=True)

    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = RepairStatus.WITHDRAWN, self.data["withdrawn_on"]


class RepairAuthorityInformed(CaseEvent):
    """The authority that published the penalty or made the listing was told the decision."""

    informed_on = Field(date)
    informed = Field(str)  # that authority
    late = Field(bool)

    def evolve(self, c: Any) -> None:
        c.informed_on = self.data["informed_on"]
