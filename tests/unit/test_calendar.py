"""Stories about counting working days across Chinese public holidays."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.commands import calendar as calendar_command
from ledger.domain.calendar import DEFAULT_FILE, WorkingCalendar
from ledger.domain.publicity import publication_due, publication_provisional

CN = WorkingCalendar.default()


def test_spring_festival_2026_pushes_a_seven_day_deadline_into_march() -> None:
    # A penalty is decided on Friday 13 February 2026, the last day before the break.
    decided = date(2026, 2, 13)
    # Saturday 14 Feb is worked, 15-23 Feb are off, Saturday 28 Feb is worked again.
    assert CN.add_working_days(decided, 1) == date(2026, 2, 14)
    assert CN.add_working_days(decided, 2) == date(2026, 2, 24)
    assert CN.add_working_days(decided, 7) == date(2026, 3, 2)
    assert CN.working_days_between(decided, date(2026, 3, 2)) == 7
    assert CN.working_days_between(decided, date(2026, 2, 23)) == 1


def test_an_adjusted_weekend_workday_counts_and_a_weekday_holiday_does_not() -> None:
    assert date(2026, 1, 4).weekday() == 6
    assert CN.is_working_day(date(2026, 1, 4))  # Sunday worked after New Year
    assert not CN.is_working_day(date(2026, 1, 2))  # Friday off in lieu
    assert not CN.is_working_day(date(2026, 2, 16))  # Monday, Spring Festival eve
    assert not CN.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert CN.is_working_day(date(2026, 3, 9))  # an ordinary Monday


def test_start_day_is_not_counted() -> None:
    monday = date(2026, 3, 9)
    assert CN.add_working_days(monday, 0) == monday
    assert CN.add_working_days(monday, 1) == date(2026, 3, 10)
    assert CN.working_days_between(monday, monday) == 0
    assert CN.working_days_between(monday, date(2026, 3, 1)) == 0


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        CN.add_working_days(date(2026, 3, 9), -1)


def test_packaged_data_covers_2019_to_2026_only() -> None:
    assert all(CN.covers(date(year, 6, 1)) for year in range(2019, 2027))
    assert not CN.covers(date(2027, 6, 1))


def test_packaged_data_is_plausible_every_year() -> None:
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert data["source"]
    # Adjusted workdays only ever fall on weekends.
    assert all(day.weekday() >= 5 for day in CN.workdays)
    for year in range(2019, 2027):
        assert not CN.is_working_day(date(year, 1, 1))
        assert not CN.is_working_day(date(year, 10, 1))
        assert not CN.is_working_day(date(year, 5, 1))


def test_2020_spring_festival_extension_made_a_planned_workday_a_rest_day() -> None:
    # Saturday 1 Feb 2020 was to be worked; the epidemic extension cancelled it.
    assert not CN.is_working_day(date(2020, 2, 1))
    assert CN.is_working_day(date(2020, 2, 3))


def write(path: Path, holidays: list[str], workdays: list[str]) -> Path:
    path.write_text(json.dumps({"holidays": holidays, "workdays": workdays}), encoding="utf-8")
    return path


def test_operator_file_extends_the_national_calendar(tmp_path: Path) -> None:
    # The city gives one more day off after Spring Festival and cancels the makeup Saturday.
    local = write(tmp_path / "local.json", ["2026-02-24", "2026-02-28"], [])
    city = WorkingCalendar.from_files(DEFAULT_FILE, local)
    assert not city.is_working_day(date(2026, 2, 24))
    assert not city.is_working_day(date(2026, 2, 28))
    assert city.add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 4)
    # The national calendar is untouched.
    assert CN.is_working_day(date(2026, 2, 24))


def test_a_single_calendar_cannot_call_one_day_both_holiday_and_workday() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar([date(2026, 3, 9)], [date(2026, 3, 9)])


@given(st.dates(date(2019, 1, 1), date(2026, 12, 31)), st.integers(0, 60))
def test_adding_then_counting_gives_back_the_same_number(start: date, n: int) -> None:
    end = CN.add_working_days(start, n)
    assert CN.working_days_between(start, end) == n
    if n:
        assert CN.is_working_day(end)


def test_a_year_without_a_published_schedule_still_keeps_its_fixed_date_holidays() -> None:
    # 2027's schedule is not out yet: New Year's Day, 1-2 May and 1-3 October are known.
    assert not CN.covers(date(2027, 1, 1))
    assert not CN.is_working_day(date(2027, 1, 1))  # a Friday
    assert not CN.is_working_day(date(2027, 10, 1))  # a Friday
    assert CN.is_working_day(date(2027, 2, 8))  # Spring Festival eve: unknown, so worked
    # Before 2025 Labour Day was one day long.
    assert WorkingCalendar().is_working_day(date(2018, 5, 2))
    assert not WorkingCalendar().is_working_day(date(2030, 5, 2))


def test_a_count_that_crosses_into_an_uncovered_year_is_provisional() -> None:
    # Ten working days from Christmas Eve 2026 skip New Year's Day and end on 8 January 2027.
    due = CN.add_working_days(date(2026, 12, 24), 10)
    assert due == date(2027, 1, 8)
    assert CN.provisional(date(2026, 12, 24), due)
    assert not CN.provisional(date(2026, 9, 1), CN.add_working_days(date(2026, 9, 1), 10))
    assert CN.provisional(date(2018, 12, 28), date(2019, 1, 3))


def test_the_publication_deadline_of_a_late_december_decision_is_provisional() -> None:
    assert publication_due(date(2026, 12, 25), CN) == date(2027, 1, 6)
    assert publication_provisional(date(2026, 12, 25), CN)
    assert not publication_provisional(date(2026, 12, 1), CN)


def test_the_calendar_command_shows_coverage_and_check_fails_on_a_missing_year(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEDGER_HOLIDAYS_FILES", raising=False)
    app = typer.Typer()
    calendar_command.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `calendar` a named subcommand
    runner = CliRunner()
    shown = runner.invoke(app, ["calendar", "--today", "2026-12-07"])
    assert shown.exit_code == 0, shown.output
    assert "2026  published" in shown.output and "2027  PROVISIONAL" in shown.output
    assert "covered: 2019-2026" in shown.output
    assert runner.invoke(app, ["calendar", "--check", "--today", "2026-12-07"]).exit_code == 1
    assert runner.invoke(app, ["calendar", "--check", "--today", "2025-03-01"]).exit_code == 0
