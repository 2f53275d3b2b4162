"""Credit-repair rules: what may be repaired, when, and by which deadlines.

Penalties are judged by the publicity rule set in force on their decision date
(ledger.domain.publicity). Listings carry no national minimum in DOMAIN.md; the ledger
takes the penalty analogue as a configurable default (black list ~ serious: 12 months;
key-attention ~ general: 3 months) and the commerce maxima DOMAIN.md cites (black 3 years,
key-attention 2 years) when a listing states no expiry date (docs/adr/006).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import RuleViolation
from ledger.domain.publicity import RULES, PublicityRule, add_months, publicity_window
from ledger.domain.vocabulary import CommitmentStatus, PenaltyStatus

# Especially serious conduct whose harm cannot be undone (DOMAIN.md), as violation_type codes;
# Chinese names are accepted too since departments send either.
NON_REPAIRABLE = frozenset({
    "online_fraud", "telecom_fraud", "illegal_fund_raising", "substandard_vaccines",
    "网络诈骗", "电信网络诈骗", "非法集资", "假劣疫苗",
})


class RepairRuleBroken(RuleViolation):
    """A repair step would break a named admissibility or approval rule."""

    def __init__(self, rule: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.rule = rule


@dataclass(frozen=True)
class RepairPolicy:
    """The configurable parts of the repair rules (working days, months, conduct codes)."""

    decision_days: int = 10
    notify_days: int = 3
    non_repairable: frozenset[str] = NON_REPAIRABLE
    # Keyed by list, or by "list:domain" for a domain's own period.
    listing_min_months: Mapping[str, int] = field(
        default_factory=lambda: {"black": 12, "key_attention": 3})
    listing_max_months: Mapping[str, int] = field(
        default_factory=lambda: {"black": 36, "key_attention": 24})
    # Working days of prior notice before a listing (ledger.domain.listing_rules).
    listing_notice_days: int = 5
    rules: tuple[PublicityRule, ...] = RULES
    four_eyes: bool = True  # the officer who accepted a case does not decide it

    def listing_months(self, table: Mapping[str, int], list_name: str, domain: str) -> int | None:
        return table.get(f"{list_name}:{domain}", table.get(list_name))

    def is_non_repairable(self, violation_type: str | None) -> bool:
        if not violation_type:
            return False
        code = violation_type.strip().lower().replace(" ", "_").replace("-", "_")
        return code in self.non_repairable or violation_type.strip() in self.non_repairable


@dataclass(frozen=True)
class Target:
    """What a repair case is about: one penalty's publicity, or one listing."""

    kind: str  # "penalty" | "listing"
    id: str  # the decision number, or the listing id
    authority: str  # who decided the penalty or made the listing
    domain: str
    active: bool  # still publicly shown / still listed
    started_on: date  # decision date, or listing date
    list: str | None = None
    severity: str | None = None
    special: bool = False
    violation_type: str | None = None
    expires_on: date | None = None

    def window(self, policy: RepairPolicy) -> tuple[date, date | None, str]:
        """(minimum until, maximum until or None, the rule set that says so)."""
        if self.kind == "penalty":
            w = publicity_window(self.severity or "general", self.started_on, self.special,
                                 policy.rules)
            return w.min_until, w.max_until, w.rule_set
        list_name = self.list or ""
        least = policy.listing_months(policy.listing_min_months, list_name, self.domain) or 0
        most = policy.listing_months(policy.listing_max_months, list_name, self.domain)
        until = self.expires_on or (add_months(self.started_on, most) if most else None)
        return add_months(self.started_on, least), until, f"listing-{list_name}"


def penalty_target(authority: str, entry: dict[str, Any]) -> Target:
    data = entry["data"]
    return Target("penalty", data["decision_no"], authority, data["domain"],
                  entry["status"] == PenaltyStatus.PUBLIC, date.fromisoformat(data["decided_on"]),
                  severity=data["severity"], special=bool(data.get("special")),
                  violation_type=data.get("violation_type"))


def listing_target(entry: dict[str, Any]) -> Target:
    data = entry["data"]
    expires = data.get("expires_on")
    return Target("listing", data["listing_id"], entry["authority"], data["domain"],
                  bool(entry["active"]), date.fromisoformat(data["listed_on"]), list=data["list"],
                  violation_type=data.get("violation_type"),
                  expires_on=date.fromisoformat(expires) if expires else None)


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str


def admissibility_failures(
    target: Target, *, on: date, obligations_performed: bool, policy: RepairPolicy,
) -> list[Failure]:
    """Every rule the application breaks on date `on` (empty when admissible)."""
    what = f"{target.kind} {target.id}"
    if target.kind == "listing" and target.list == "red":
        return [Failure("not_negative", f"{what} is a red listing: there is nothing to repair")]
    if not target.active:
        return [Failure("target_not_public", f"{what} is no longer shown: nothing to repair")]
    failures = []
    if policy.is_non_repairable(target.violation_type):
        failures.append(Failure("non_repairable", f"{what}: conduct {target.violation_type!r} "
                                "is especially serious and cannot be repaired"))
    min_until, max_until, rule_set = target.window(policy)
    if on < min_until:
        failures.append(Failure("minimum_publicity", f"{what}: under {rule_set} the minimum "
                                f"publicity runs until {min_until}; applied on {on}"))
    if max_until is not None and on >= max_until:
        failures.append(Failure("maximum_reached", f"{what}: publicity reached its maximum on "
                                f"{max_until} and ends by expiry, not repair"))
    if not obligations_performed:
        failures.append(Failure("obligations_not_performed", f"{what}: the conduct must be "
                                "corrected and every obligation performed"))
    return failures


def commitment_failures(commitment: dict[str, Any] | None) -> list[Failure]:
    """The linked commitment must be the subject's own repair commitment, not breached."""
    if commitment is None:
        return [Failure("repair_commitment", "no credit-repair commitment is linked to the case")]
    if commitment["data"]["type"] != "repair":
        return [Failure("repair_commitment", f"commitment {commitment['data']['commitment_id']} "
                        f"is of type {commitment['data']['type']!r}, not 'repair'")]
    if commitment["status"] == CommitmentStatus.BREACHED:
        return [Failure("repair_commitment", "the linked repair commitment was breached")]
    return []


def check(failures: list[Failure]) -> None:
    if failures:
        first = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise RepairRuleBroken(first.rule, first.message + more)


def due_after(start: date, days: int, calendar: WorkingCalendar) -> date:
    """The last day a deadline of `days` working days after `start` allows."""
    return calendar.add_working_days(start, days)


def provisional(calendar: WorkingCalendar, *spans: tuple[str | None, str | None]) -> bool:
    """Tell whether any (start, due) deadline was counted across a year the calendar lacks."""
    return any(calendar.provisional(date.fromisoformat(start), date.fromisoformat(due))
               for start, due in spans if start and due)


def overdue(due: date | None, today: date) -> bool:
    return due is not None and today > due
