"""Stories about how long a penalty stays public, under the rules of its decision date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.publicity import (
    UnknownSeverity,
    Window,
    add_months,
    publicity_window,
    published_late,
    rule_for,
)

NEW_RULES_START = date(2026, 4, 1)


def test_new_rules_apply_from_1_april_2026() -> None:
    # A minor penalty need not be published at all, and stops after three months.
    assert publicity_window("minor", NEW_RULES_START) == Window(
        "NDRC-2025-36", NEW_RULES_START, date(2026, 7, 1)
    )
    assert publicity_window("general", NEW_RULES_START) == Window(
        "NDRC-2025-36", date(2026, 7, 1), date(2027, 4, 1)
    )
    assert publicity_window("serious", NEW_RULES_START) == Window(
        "NDRC-2025-36", date(2027, 4, 1), date(2029, 4, 1)
    )


def test_a_decision_the_day_before_keeps_the_2023_rules() -> None:
    # Replaying March 2026 history must not borrow the shorter new periods.
    decided = date(2026, 3, 31)
    for severity in ("minor", "general", "serious"):
        assert publicity_window(severity, decided) == Window(
            "NDRC-2023-58", date(2026, 6, 30), date(2029, 3, 31)
        )


def test_special_domains_wait_a_year_under_the_2023_rules() -> None:
    # Special equipment, work safety and fire safety: minimum one year.
    window = publicity_window("general", date(2025, 6, 10), special=True)
    assert window == Window("NDRC-2023-58", date(2026, 6, 10), date(2028, 6, 10))
    assert "fire_safety" in rule_for(date(2025, 6, 10)).special_domains


def test_special_flag_changes_nothing_under_the_new_rules() -> None:
    decided = date(2026, 6, 10)
    assert publicity_window("general", decided, special=True) == publicity_window(
        "general", decided
    )


def test_decisions_before_order_58_took_effect_are_replayed_under_it() -> None:
    assert publicity_window("serious", date(2021, 3, 15)).rule_set == "NDRC-2023-58"


def test_month_end_is_clamped() -> None:
    # 30 November plus three months has no 30 February to land on.
    assert publicity_window("general", date(2026, 11, 30)).min_until == date(2027, 2, 28)
    assert publicity_window("minor", date(2026, 5, 31)).max_until == date(2026, 8, 31)
    assert publicity_window("serious", date(2028, 2, 29)).min_until == date(2029, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)


def test_unknown_severity_is_refused() -> None:
    with pytest.raises(UnknownSeverity, match="grave"):
        publicity_window("grave", NEW_RULES_START)


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 120))
def test_add_months_moves_whole_months_and_never_overshoots(d: date, months: int) -> None:
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    if result.day != d.day:
        # Only a shorter month moves the day, and then to that month's last day.
        assert result.day < d.day
        assert (result + timedelta(days=1)).day == 1
    assert add_months(d, 0) == d


def test_publication_is_late_after_seven_working_days() -> None:
    calendar = WorkingCalendar.default()
    # Decided just before Spring Festival 2026: the seventh working day is 2 March.
    decided = date(2026, 2, 13)
    assert not published_late(decided, date(2026, 3, 2), calendar)
    assert published_late(decided, date(2026, 3, 3), calendar)
    # A local rule of five working days is a parameter, not a code change.
    assert not published_late(decided, date(2026, 2, 27), calendar, limit=5)
    assert published_late(decided, date(2026, 2, 28), calendar, limit=5)
