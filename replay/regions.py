"""`replay regions`: the county monitoring ranking as the ledger knew it at a record time,
on a business date, rebuilt from the feed into memory (the live views are not read)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich.table import Table

from ledger.settings import Settings
from replay import render
from replay.cli_views import SOURCE_HELP, feed_source
from replay.render import fail, print_json
from replay.when import BadTime, parse_as_of, parse_effective


def regions(
    as_of: str = typer.Option(None, "--as-of", help="Record time: only what the ledger had "
                              "recorded at or before this instant (ISO 8601; a bare date "
                              "means the end of that day, UTC). Default: now."),
    effective: str = typer.Option(None, "--effective", help="Business date of the scorecards "
                                  "(default: the --as-of date, else today)."),
    months: int = typer.Option(3, min=1, max=24, help="Month ends in the rank history."),
    source: str = typer.Option(None, help=SOURCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (as GET /v1/regions)."),
) -> None:
    """Every county's scorecard ranked, and the ranking by month, as of a date."""
    # Here, not at the top: `credit-ledger` imports this module for every command, and the
    # store and projection modules take about a second to import (docs/adr/019).
    from ledger.build import build_geography, build_ledger
    from projections.views import indicators, load_views
    from projections.views._regions import monitoring
    from replay.memory import MemoryViews
    from replay.sidebuild import Cut, build, open_feed

    settings = Settings()
    try:
        when = parse_as_of(as_of)
        day = parse_effective(effective) or (when or datetime.now(UTC)).date()
    except BadTime as e:
        raise fail(str(e)) from None
    geography = build_geography(settings)
    ledger = build_ledger(settings)
    feed = open_feed(settings, ledger.recorder, feed_source(settings, source))
    target = MemoryViews(load_views(["scores", "indicators", "integrity"]))
    try:
        build(feed, target, Cut(as_of=when))
        answer = monitoring(indicators.VIEW, target.tx(), geography.table,
                            geography.catalogue, day, months)
    finally:
        target.close()
        feed.close()
    if as_json:
        print_json(answer)
        return
    render.console.print(ranking_table(answer))
    for month in answer["history"]:
        render.console.print(f"{month['month']} (as of {month['as_of']}): " + ", ".join(
            f"{p['rank'] or '-'}. {p['code']}" for p in month["ranking"]))


def ranking_table(answer: dict[str, Any]) -> Table:
    table = Table(title=f"County monitoring ranking as of {answer['as_of']}")
    for column in ("rank", "code", "name", "population", "mean rank", "passed", "failed"):
        table.add_column(column)
    for r in answer["regions"]:
        mean = "-" if r["mean_rank"] is None else f"{r['mean_rank']:.2f}"
        table.add_row(str(r["rank"] or "-"), r["code"], r["name"], f"{r['population']:,}",
                      mean, str(r["passed"]), str(r["failed"]))
    return table
