"""A repair case's target and commitment on its subject."""

from __future__ import annotations

from typing import Any

from ledger.domain.errors import NotFound, RuleViolation
from ledger.domain.repair import Target, listing_target, penalty_target
from ledger.domain.repair_case import RepairCase
from ledger.domain.subject import Subject


def target_of(subject: Subject, kind: str, ref: str, authority: str | None = None) -> Target:
    """A subject's penalty (by decision number, and authority if ambiguous) or listing."""
    if kind == "listing" or ref in subject.listings:
        if ref not in subject.listings:
            raise NotFound(f"subject {subject.code} has no listing {ref}", field="target")
        return listing_target(subject.listings[ref])
    found = [(key.split("|", 1)[0], entry) for key, entry in subject.penalties.items()
             if entry["data"]["decision_no"] == ref
             and authority in (None, key.split("|", 1)[0])]
    if not found:
        raise NotFound(f"subject {subject.code} has no penalty or listing {ref!r}",
                       field="target")
    if len(found) > 1:
        raise RuleViolation(f"decision number {ref!r} was used by {len(found)} authorities; "
                            "name the target_authority", field="target_authority")
    return penalty_target(*found[0])


def case_target(case: RepairCase, subject: Subject) -> Target:
    return target_of(subject, case.target_kind, case.target_id, case.target_authority)


def commitment_of(case: RepairCase, subject: Subject) -> dict[str, Any] | None:
    return subject.commitments.get(case.commitment_id or "")
