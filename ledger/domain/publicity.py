"""Penalty publicity periods, as rule sets keyed by the date they took effect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ledger.domain.calendar import WorkingCalendar

SEVERITIES = ("minor", "general", "serious")


class UnknownSeverity(ValueError):
    """The severity code is not one of minor, general, serious."""


@dataclass(frozen=True)
class PublicityRule:
    """Minimum and maximum publicity, in months, in force from one date."""

    name: str
    effective_from: date
    months: Mapping[str, tuple[int, int]]
    special_domains: frozenset[str] = field(default_factory=frozenset)
    special_months: tuple[int, int] | None = None

    def period(self, severity: str, special: bool = False) -> tuple[int, int]:
        """Return (minimum, maximum) months for a severity."""
        if severity not in self.months:
            raise UnknownSeverity(f"unknown severity {severity!r}, expected one of {SEVERITIES}")
        if special and self.special_months is not None:
            return self.special_months
        return self.months[severity]


@dataclass(frozen=True)
class Window:
    """When a penalty may stop being published (min_until) and must stop (max_until)."""

    rule_set: str
    min_until: date
    max_until: date


ORDER_58_OF_2023 = PublicityRule(
    name="NDRC-2023-58",
    effective_from=date(2023, 5, 1),
    months={severity: (3, 36) for severity in SEVERITIES},
    special_domains=frozenset({"special_equipment", "work_safety", "fire_safety"}),
    special_months=(12, 36),
)
ORDER_36_OF_2025 = PublicityRule(
    name="NDRC-2025-36",
    effective_from=date(2026, 4, 1),
    months={"minor": (0, 3), "general": (3, 12), "serious": (12, 36)},
)
RULES: tuple[PublicityRule, ...] = (ORDER_58_OF_2023, ORDER_36_OF_2025)


def rule_for(decided_on: date, rules: Sequence[PublicityRule] = RULES) -> PublicityRule:
    """Return the rule set in force on the decision date."""
    in_force = [r for r in rules if r.effective_from <= decided_on]
    if not in_force:
        # Earlier regimes are not modelled: DOMAIN.md puts every decision before
        # 2026-04-01 under Order 58, so the oldest rule set reaches back indefinitely.
        return min(rules, key=lambda r: r.effective_from)
    return max(in_force, key=lambda r: r.effective_from)


def add_months(d: date, months: int) -> date:
    """Add calendar months, clamping the day to the end of a shorter month."""
    years, month0 = divmod(d.month - 1 + months, 12)
    year, month = d.year + years, month0 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def publicity_window(
    severity: str,
    decided_on: date,
    special: bool = False,
    rules: Sequence[PublicityRule] = RULES,
) -> Window:
    """Return the publicity window of a penalty, counted from its decision date."""
    rule = rule_for(decided_on, rules)
    min_months, max_months = rule.period(severity, special)
    return Window(rule.name, add_months(decided_on, min_months), add_months(decided_on, max_months))


PUBLICATION_DAYS = 7  # working days from a decision to its publication (国发〔2016〕33号)


def publication_due(decided_on: date, calendar: WorkingCalendar,
                    limit: int = PUBLICATION_DAYS) -> date:
    """The last day a decision may be published on time."""
    return calendar.add_working_days(decided_on, limit)


def published_late(
    decided_on: date, published_on: date, calendar: WorkingCalendar, limit: int = PUBLICATION_DAYS
) -> bool:
    """Tell whether publication missed the working-day limit after the decision."""
    return published_on > publication_due(decided_on, calendar, limit)


def publication_provisional(decided_on: date, calendar: WorkingCalendar) -> bool:
    """Tell whether the publication deadline was counted without the year's official schedule."""
    return calendar.provisional(decided_on, publication_due(decided_on, calendar))
