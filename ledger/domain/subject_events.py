"""The facts recorded about a credit subject: their typed fields, and how each changes state.

State keeps each fact's `data` (its wire form) with a status from `vocabulary`; the replay's
fold (`replay/fold.py`) applies these same rules to envelopes read from Kafka or the store.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.events import LedgerCreated, LedgerEvent
from ledger.domain.payload import Field
from ledger.domain.vocabulary import (
    CommitmentStatus,
    CommitmentType,
    DelistReason,
    ListName,
    PenaltyStatus,
    PermitStatus,
    PrincipalRole,
    Profession,
    Severity,
    SubjectKind,
)


def key(authority: str, number: str) -> str:
    """Decision numbers are unique per authority."""
    return f"{authority}|{number}"


def remember(s: Any, record_key: str, event: LedgerEvent) -> None:
    """Which version recorded an identified fact, and its content, for idempotent resubmission."""
    s.recorded_by[record_key] = (event.originator_version, event.data)


class SubjectRegistered(LedgerCreated):
    code = Field(str)
    name = Field(str)
    kind = Field(SubjectKind)
    masked = Field(str, omit_none=True)  # a person's masked ID number
    code_check_failed = Field(bool, omit_none=True, default=False)  # only ever True
    profession = Field(Profession, omit_none=True)  # a professional's (issue 20)

    def evolve(self, s: Any) -> None:
        s.code, s.name, s.kind = self.code, self.name, self.kind
        s.masked = self.masked
        # Who may rename or deregister it, and the name a resubmitted registration matches.
        s.registrar, s.registered_name = self.authority, self.name
        if "profession" in self.data:  # older registrations have none: state as it was
            s.profession = self.profession


class PrincipalLinked(LedgerEvent):
    principal = Field(str)
    role = Field(PrincipalRole)
    name = Field(str, optional=True)
    since = Field(date)

    def evolve(self, s: Any) -> None:
        s.principals[f"{self.data['role']}|{self.principal}"] = self.data
        remember(s, f"principal|{self.data['role']}|{self.principal}", self)


class PermitGranted(LedgerEvent):
    """Besides these fields, `data` carries the permit's descriptive fields (PermitIn)."""

    decision_no = Field(str)
    category = Field(str)
    decided_on = Field(date)
    published_on = Field(date)
    late = Field(bool)  # published more than 7 working days after the decision

    def evolve(self, s: Any) -> None:
        k = key(self.authority, self.decision_no)
        s.permits[k] = {"data": self.data, "status": PermitStatus.VALID}
        remember(s, "permit|" + k, self)


class PermitRevoked(LedgerEvent):
    decision_no = Field(str)
    revoked_on = Field(date, omit_none=True)
    reason = Field(str, omit_none=True)
    # Whose permit, when an admin revokes another authority's (else the event's authority).
    permit_authority = Field(str, omit_none=True)

    def evolve(self, s: Any) -> None:
        k = key(self.permit_authority or self.authority, self.decision_no)
        s.permits[k]["status"] = PermitStatus.REVOKED
        remember(s, "revocation|permit|" + k, self)


class PenaltyImposed(LedgerEvent):
    """Besides these fields, `data` carries the penalty's descriptive fields (PenaltyIn)."""

    decision_no = Field(str)
    severity = Field(Severity)
    domain = Field(str)
    decided_on = Field(date)
    published_on = Field(date)
    category = Field(str)
    basis = Field(str)
    special = Field(bool)
    late = Field(bool)
    rule_set = Field(str)  # the publicity rules of the decision date
    publicity_min_until = Field(date)
    publicity_max_until = Field(date)

    def evolve(self, s: Any) -> None:
        k = key(self.authority, self.decision_no)
        s.penalties[k] = {"data": self.data, "status": PenaltyStatus.PUBLIC}
        remember(s, "penalty|" + k, self)


class PenaltyRevoked(LedgerEvent):
    decision_no = Field(str)
    revoked_on = Field(date)
    reason = Field(str)
    # Whose penalty, when an admin revokes another authority's (else the event's authority).
    penalty_authority = Field(str, omit_none=True)

    def evolve(self, s: Any) -> None:
        k = key(self.penalty_authority or self.authority, self.decision_no)
        s.penalties[k]["status"] = PenaltyStatus.REVOKED
        remember(s, "revocation|penalty|" + k, self)


class PenaltyPublicityEnded(LedgerEvent):
    """Publicity ends when repaired or at its maximum; the penalty stays in history."""

    penalty_authority = Field(str)
    decision_no = Field(str)
    ended_on = Field(date)
    reason = Field(str)  # repaired, or expired

    def evolve(self, s: Any) -> None:
        penalty = s.penalties[key(self.penalty_authority, self.decision_no)]
        penalty["status"], penalty["ended_reason"] = PenaltyStatus.ENDED, self.reason


class Listed(LedgerEvent):
    listing_id = Field(str)
    list = Field(ListName)
    domain = Field(str)
    basis = Field(str)
    notified_on = Field(date)
    listed_on = Field(date)
    expires_on = Field(date, optional=True)
    removal_conditions = Field(str)

    def evolve(self, s: Any) -> None:
        s.listings[self.listing_id] = {"data": self.data, "authority": self.authority,
                                       "active": True}
        remember(s, "listing|" + self.listing_id, self)


class Delisted(LedgerEvent):
    listing_id = Field(str)
    list = Field(ListName)
    domain = Field(str)
    delisted_on = Field(date)
    reason = Field(DelistReason)
    note = Field(str, optional=True)

    def evolve(self, s: Any) -> None:
        listing = s.listings[self.listing_id]
        listing["active"], listing["delisted_reason"] = False, self.data["reason"]


class CommitmentMade(LedgerEvent):
    commitment_id = Field(str)
    type = Field(CommitmentType)
    made_on = Field(date)
    content = Field(str)
    due_on = Field(date, optional=True)
    commitment_no = Field(str, optional=True)

    def evolve(self, s: Any) -> None:
        s.commitments[self.commitment_id] = {"data": self.data, "status": CommitmentStatus.MADE,
                                             "authority": self.authority}
        remember(s, "commitment|" + self.commitment_id, self)


class CommitmentFulfilled(LedgerEvent):
    commitment_id = Field(str)
    on = Field(date)
    note = Field(str)

    def evolve(self, s: Any) -> None:
        s.commitments[self.commitment_id]["status"] = CommitmentStatus.FULFILLED


class CommitmentBreached(LedgerEvent):
    commitment_id = Field(str)
    on = Field(date)
    note = Field(str)

    def evolve(self, s: Any) -> None:
        s.commitments[self.commitment_id]["status"] = CommitmentStatus.BREACHED
