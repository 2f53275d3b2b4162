"""The facts recorded about a credit subject, and how each changes its state."""

from __future__ import annotations

from typing import Any

from ledger.domain.events import LedgerCreated, LedgerEvent


def key(authority: str, number: str) -> str:
    """Decision numbers are unique per authority."""
    return f"{authority}|{number}"


def remember(s: Any, record_key: str, event: LedgerEvent) -> None:
    """Which version recorded an identified fact, and its content, for idempotent resubmission."""
    s.recorded_by[record_key] = (event.originator_version, event.data)


class SubjectRegistered(LedgerCreated):
    def evolve(self, s: Any) -> None:
        s.code = self.data["code"]
        s.name = self.data["name"]
        s.kind = self.data["kind"]
        s.masked = self.data.get("masked")


class PrincipalLinked(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.principals[f"{self.data['role']}|{self.data['principal']}"] = self.data
        remember(s, f"principal|{self.data['role']}|{self.data['principal']}", self)


class PermitGranted(LedgerEvent):
    def evolve(self, s: Any) -> None:
        k = key(self.authority, self.data["decision_no"])
        s.permits[k] = {"data": self.data, "status": "valid"}
        remember(s, "permit|" + k, self)


class PermitRevoked(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.permits[key(self.authority, self.data["decision_no"])]["status"] = "revoked"


class PenaltyImposed(LedgerEvent):
    def evolve(self, s: Any) -> None:
        k = key(self.authority, self.data["decision_no"])
        s.penalties[k] = {"data": self.data, "status": "public"}
        remember(s, "penalty|" + k, self)


class PenaltyRevoked(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.penalties[key(self.authority, self.data["decision_no"])]["status"] = "revoked"


class PenaltyPublicityEnded(LedgerEvent):
    """Publicity ends when repaired or at its maximum; the penalty stays in history."""

    def evolve(self, s: Any) -> None:
        k = key(self.data["penalty_authority"], self.data["decision_no"])
        s.penalties[k]["status"] = "ended"
        s.penalties[k]["ended_reason"] = self.data["reason"]


class Listed(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.listings[self.data["listing_id"]] = {
            "data": self.data, "authority": self.authority, "active": True,
        }
        remember(s, "listing|" + self.data["listing_id"], self)


class Delisted(LedgerEvent):
    def evolve(self, s: Any) -> None:
        listing = s.listings[self.data["listing_id"]]
        listing["active"] = False
        listing["delisted_reason"] = self.data["reason"]


class CommitmentMade(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.commitments[self.data["commitment_id"]] = {"data": self.data, "status": "made",
                                                     "authority": self.authority}
        remember(s, "commitment|" + self.data["commitment_id"], self)


class CommitmentFulfilled(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.commitments[self.data["commitment_id"]]["status"] = "fulfilled"


class CommitmentBreached(LedgerEvent):
    def evolve(self, s: Any) -> None:
        s.commitments[self.data["commitment_id"]]["status"] = "breached"
