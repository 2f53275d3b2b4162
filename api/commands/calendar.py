"""`credit-ledger calendar`: which years the working-day calendar knows, and what it lacks."""

from __future__ import annotations

from datetime import date

import typer

from ledger.build import build_calendar
from ledger.domain.calendar import DEFAULT_FILE, fixed_holidays
from ledger.settings import Settings


def register(app: typer.Typer) -> None:
    app.command()(calendar)


def calendar(
    check: bool = typer.Option(
        False, "--check", help="Exit 1 unless this year and the next are both covered."),
    today: str | None = typer.Option(
        None, "--today", help="Judge coverage as of this date (ISO 8601); default: today."),
) -> None:
    """Show the years whose official holiday schedule the working-day calendar holds."""
    try:
        as_of = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise typer.BadParameter(f"expected a date like 2026-06-01, got {today!r}",
                                 param_hint="--today") from None
    settings = Settings()
    cal = build_calendar(settings)
    typer.echo("files: " + ", ".join(str(f) for f in [DEFAULT_FILE, *settings.holidays_files]))
    typer.echo(f"{'year':<6}{'schedule':<12}{'weekdays off':>13}{'weekends worked':>17}")
    ahead = range(as_of.year, as_of.year + 2)  # this year and the next, which a deadline reaches
    for year in sorted(cal.years | set(ahead)):
        off = sum(1 for d in cal.holidays if d.year == year and d.weekday() < 5)
        worked = sum(1 for d in cal.workdays if d.year == year)
        if year not in cal.years:
            off = sum(1 for d in fixed_holidays(year) if d.weekday() < 5)
        schedule = "published" if year in cal.years else "PROVISIONAL"
        typer.echo(f"{year:<6}{schedule:<12}{off:>13}{worked:>17}")
    if cal.years:
        typer.echo(f"covered: {min(cal.years)}-{max(cal.years)}"
                   + ("" if len(cal.years) == max(cal.years) - min(cal.years) + 1
                      else f" (only {', '.join(map(str, sorted(cal.years)))})"))
    typer.echo("outside the covered years only weekends and the fixed-date statutory holidays "
               "(1 January, 1-2 May, 1-3 October) are known; deadlines counted there are "
               "answered with provisional: true. To add a year: docs/calendar.md")
    missing = [year for year in ahead if year not in cal.years]
    if missing:
        typer.echo(f"not covered as of {as_of}: {', '.join(map(str, missing))}", err=True)
        if check:
            raise typer.Exit(1)
