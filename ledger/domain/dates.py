"""Date rules every fact shares: nothing is decided in the future, nothing published before."""

from __future__ import annotations

from datetime import date

from ledger.domain.errors import DateRuleViolation, FutureDate


def check_not_future(today: date, **dates: date | None) -> None:
    """Each named date is on or before today (None: not given, nothing to check)."""
    for name, value in dates.items():
        if value is not None and value > today:
            raise FutureDate(f"{name} {value} is in the future (today is {today})", field=name)


def check_published_after_decision(decided_on: date, published_on: date) -> None:
    if published_on < decided_on:
        raise DateRuleViolation(
            f"published_on {published_on} is before decided_on {decided_on}",
            field="published_on",
        )
