"""Working-day calendar: weekends, public holidays and adjusted workdays (调休)."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from os import PathLike
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "data" / "holidays_cn.json"


def fixed_holidays(year: int) -> frozenset[date]:
    """The statutory holidays whose dates never move (全国年节及纪念日放假办法).

    New Year's Day, Labour Day (1 May; 1-2 May from 2025) and National Day (1-3 October).
    The lunar festivals and the swapped weekends (调休) are known only from the year's
    published schedule, so a year without one is counted with these and weekends alone.
    """
    days = [(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)] + ([(5, 2)] if year >= 2025 else [])
    return frozenset(date(year, m, d) for m, d in days)


class WorkingCalendar:
    """Decides which days count toward working-day deadlines."""

    def __init__(
        self,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        years: Iterable[int] = (),
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        # Years whose arrangements were published; outside them only weekends are known.
        self.years = frozenset(years)
        clash = self.holidays & self.workdays
        if clash:
            raise ValueError(f"days both holiday and workday: {sorted(clash)}")
        # Per year, the ordinals of its working days, ascending: deadlines are looked up in
        # them (bisect) rather than walked day by day; built on first use.
        self._years: dict[int, list[int]] = {}

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> WorkingCalendar:
        """Load a calendar from one JSON file of holidays and workdays."""
        return cls.from_files(path)

    @classmethod
    def from_files(cls, *paths: str | PathLike[str]) -> WorkingCalendar:
        """Merge calendar files in order; a later file overrides an earlier one's day."""
        holidays: set[date] = set()
        workdays: set[date] = set()
        years: set[int] = set()
        for path in paths:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            # Operators amend the national data (e.g. a local extension of a holiday),
            # so a later listing of a day replaces the earlier one rather than clashing.
            new_holidays = {date.fromisoformat(d) for d in data.get("holidays", [])}
            new_workdays = {date.fromisoformat(d) for d in data.get("workdays", [])}
            holidays = (holidays - new_workdays) | new_holidays
            workdays = (workdays - new_holidays) | new_workdays
            years.update(int(y) for y in data.get("years", []))
        return cls(holidays, workdays, years)

    @classmethod
    def default(cls) -> WorkingCalendar:
        """Load the packaged national calendar."""
        return cls.from_file(DEFAULT_FILE)

    @classmethod
    def national(cls, *operator_files: str | PathLike[str]) -> WorkingCalendar:
        """The packaged national calendar amended by operator files (LEDGER_HOLIDAYS_FILES)."""
        return cls.from_files(DEFAULT_FILE, *operator_files)

    def covers(self, d: date) -> bool:
        """Tell whether the holiday arrangements for d's year are known."""
        return d.year in self.years

    def provisional(self, start: date, end: date) -> bool:
        """Tell whether a count of working days from start to end crosses an uncovered year."""
        return any(year not in self.years for year in range(start.year, end.year + 1))

    def is_working_day(self, d: date) -> bool:
        """Tell whether d is a working day."""
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        if d.year not in self.years and d in fixed_holidays(d.year):
            return False
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """Return the n-th working day after start (start itself is not counted)."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return start
        year, days = start.year, self._working_ordinals(start.year)
        i = bisect_right(days, start.toordinal()) + n - 1  # index of the answer in `days`
        while i >= len(days):
            i -= len(days)
            year += 1
            days = self._working_ordinals(year)
        return date.fromordinal(days[i])

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days after start up to and including end (0 if end <= start)."""
        if end <= start:
            return 0
        first, last = start.toordinal(), end.toordinal()
        return sum(bisect_right(days, last) - bisect_right(days, first)
                   for days in map(self._working_ordinals, range(start.year, end.year + 1)))

    def _working_ordinals(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            first = date(year, 1, 1).toordinal()
            days = self._years[year] = [
                o for o in range(first, date(year, 12, 31).toordinal() + 1)
                if self.is_working_day(date.fromordinal(o))]
        return days
