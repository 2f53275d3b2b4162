"""The facts of a credit-repair case, and how each changes the case.

Every event's data repeats case_id, target_kind, target_id, target_authority, domain, list
and severity, so a view can count outcomes per domain from one event alone.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.events import LedgerCreated, LedgerEvent


class RepairApplied(LedgerCreated):
    def evolve(self, c: Any) -> None:
        d = self.data
        c.subject, c.case_id = self.subject, d["case_id"]
        c.target_kind, c.target_id = d["target_kind"], d["target_id"]
        c.target_authority, c.domain = d["target_authority"], d["domain"]
        c.list_name, c.severity = d.get("list"), d.get("severity")
        c.applied_on, c.obligations_performed = d["applied_on"], d["obligations_performed"]
        c.commitment_id = d.get("commitment_id")
        c.status = "applied"


class RepairRefused(LedgerEvent):
    """Inadmissible: the rule that failed is in data.rule, all failures in data.failures."""

    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = "refused", self.data["refused_on"]


class RepairAccepted(LedgerEvent):
    def evolve(self, c: Any) -> None:
        c.status, c.accepted_on = "accepted", self.data["accepted_on"]
        c.accepted_by = self.actor
        c.decision_due = self.data["decision_due"]


class RepairCommitmentLinked(LedgerEvent):
    """The subject's own CommitmentMade (type repair) now backs this case."""

    def evolve(self, c: Any) -> None:
        c.commitment_id = self.data["commitment_id"]


class RepairTrainingCompleted(LedgerEvent):
    def evolve(self, c: Any) -> None:
        c.trainings += 1


class RepairReportSubmitted(LedgerEvent):
    """A third-party credit report backs the application."""

    def evolve(self, c: Any) -> None:
        c.reports += 1


class RepairApproved(LedgerEvent):
    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = "approved", self.data["decided_on"]
        c.notify_due = self.data["notify_due"]


class RepairRejected(LedgerEvent):
    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = "rejected", self.data["decided_on"]
        c.notify_due = self.data["notify_due"]


class RepairWithdrawn(LedgerEvent):
    def evolve(self, c: Any) -> None:
        c.status, c.decided_on = "withdrawn", self.data["withdrawn_on"]


class RepairAuthorityInformed(LedgerEvent):
    """The authority that published the penalty or made the listing was told the decision."""

    def evolve(self, c: Any) -> None:
        c.informed_on = self.data["informed_on"]
