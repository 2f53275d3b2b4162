"""A repair case's target and commitment on its subject, and the policy from settings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson

from ledger.domain.errors import NotFound, RuleViolation
from ledger.domain.repair import RepairPolicy, Target, listing_target, penalty_target
from ledger.domain.repair_case import RepairCase
from ledger.domain.subject import Subject
from ledger.settings import Settings


def policy_from(settings: Settings) -> RepairPolicy:
    """The repair policy: defaults, the day settings, then the optional policy file."""
    policy = RepairPolicy(decision_days=settings.repair_decision_days,
                          notify_days=settings.repair_notify_days,
                          four_eyes=settings.repair_four_eyes)
    if settings.repair_policy_file is None:
        return policy
    raw = orjson.loads(settings.repair_policy_file.read_bytes())
    unknown = set(raw) - {"non_repairable", "listing_min_months", "listing_max_months",
                          "listing_notice_days"}
    if unknown:
        raise ValueError(f"{settings.repair_policy_file}: unknown repair policy keys "
                         f"{sorted(unknown)}")
    notice = raw.get("listing_notice_days", policy.listing_notice_days)
    if not isinstance(notice, int) or isinstance(notice, bool) or not 0 <= notice <= 60:
        raise ValueError(f"{settings.repair_policy_file}: listing_notice_days must be a whole "
                         f"number of working days from 0 to 60, got {notice!r}")
    if "non_repairable" in raw:
        raw["non_repairable"] = frozenset(raw["non_repairable"])
    return replace(policy, **raw)


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
