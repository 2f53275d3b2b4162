"""`credit-ledger expire`: end publicity and listings that reached their maximum, once."""

from __future__ import annotations

from datetime import date

import typer

from ledger.settings import Settings


def register(app: typer.Typer) -> None:
    app.command()(expire)


def expire(
    today: str | None = typer.Option(
        None, "--today", help="Run as of this date (ISO 8601); default: today in UTC."),
) -> None:
    """Record PenaltyPublicityEnded / Delisted (reason expired) for everything due by today."""
    from api.bootstrap import bootstrap  # here: a second of imports (docs/adr/019)
    from ledger.expiry import Expiry

    try:
        as_of = date.fromisoformat(today) if today else None
    except ValueError:
        raise typer.BadParameter(f"expected a date like 2026-06-01, got {today!r}",
                                 param_hint="--today") from None
    settings = Settings()
    runtime = bootstrap(settings, background=False)
    try:
        as_of = as_of or runtime.ledger.clock()
        counts = Expiry(runtime.ledger, runtime.ledger.policy).run(as_of)
    finally:
        runtime.close()
    typer.echo(f"as of {as_of}: {counts['penalty_publicity_ended']} penalty publicities ended, "
               f"{counts['delisted']} listings removed (reason expired)")
