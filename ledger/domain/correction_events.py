"""Corrections as events: a permit or penalty corrected, a subject renamed or deregistered.

History is never edited. A correction is a new fact that carries the whole record as it
stands after it (the keys of its PermitGranted / PenaltyImposed, derived ones recomputed),
beside what the correction itself says: when, why, which authority's record, and the values
it replaced (`previous`). Every reader (views, score rules, the replay's fold) can take the
corrected record as it takes the original, with no read of what came before (docs/adr/022).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ledger.domain.events import LedgerEvent
from ledger.domain.payload import Field
from ledger.domain.subject_events import PenaltyImposed, PermitGranted, key, remember

# What a correction event says about itself, beside the record it carries.
PENALTY_META = ("penalty_authority", "corrected_on", "correction_reason", "correction_id",
                "previous")
PERMIT_META = ("permit_authority", "corrected_on", "correction_reason", "correction_id",
               "previous")


def record_of(data: dict[str, Any], meta: tuple[str, ...]) -> dict[str, Any]:
    """The corrected record alone: the event's data without what the correction says."""
    return {k: v for k, v in data.items() if k not in meta}


def record_owner(envelope: Mapping[str, Any]) -> str:
    """The authority whose permit or penalty an event is about: an admin may revoke or
    correct another authority's record, which the event then names."""
    data = envelope["data"]
    return str(data.get("penalty_authority") or data.get("permit_authority")
               or envelope["authority"])


class PenaltyCorrected(PenaltyImposed):
    """The penalty as corrected (every key of PenaltyImposed), and the correction."""

    penalty_authority = Field(str)  # whose penalty: the event's authority may be an admin's
    corrected_on = Field(date)
    correction_reason = Field(str)
    correction_id = Field(str)  # the request's identity: the same correction again is a no-op
    previous = Field(dict)  # key -> the value it replaced (null: the key was absent)

    def evolve(self, s: Any) -> None:
        penalty = s.penalties[key(self.penalty_authority, self.decision_no)]
        penalty["data"] = record_of(self.data, PENALTY_META)
        penalty["corrected_on"] = self.data["corrected_on"]
        remember(s, "correction|" + self.correction_id, self)


class PermitCorrected(PermitGranted):
    """The permit as corrected (every key of PermitGranted), and the correction."""

    permit_authority = Field(str)
    corrected_on = Field(date)
    correction_reason = Field(str)
    correction_id = Field(str)
    previous = Field(dict)

    def evolve(self, s: Any) -> None:
        permit = s.permits[key(self.permit_authority, self.decision_no)]
        permit["data"] = record_of(self.data, PERMIT_META)
        permit["corrected_on"] = self.data["corrected_on"]
        remember(s, "correction|" + self.correction_id, self)


class SubjectRenamed(LedgerEvent):
    """A new name from `changed_on`; the former one stays on record (and searchable)."""

    name = Field(str)
    former_name = Field(str)
    changed_on = Field(date)

    def evolve(self, s: Any) -> None:
        s.former_names = [*s.former_names, {"name": self.former_name,
                                            "until": self.data["changed_on"]}]
        s.name = self.name
        remember(s, f"rename|{self.data['changed_on']}|{self.name}", self)


class SubjectDeregistered(LedgerEvent):
    """The subject was deregistered (注销); its records stay, as history does."""

    deregistered_on = Field(date)
    reason = Field(str)

    def evolve(self, s: Any) -> None:
        s.deregistered = {"on": self.data["deregistered_on"], "reason": self.reason}
        remember(s, "deregistration", self)
