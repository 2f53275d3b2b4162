"""The ledger from settings: its store, calendar and policy. Processes are assembled in
api/bootstrap.py, the composition root (docs/adr/019)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from ledger.application import CreditLedger, utc_today
from ledger.domain.calendar import WorkingCalendar
from ledger.repair.lookup import policy_from
from ledger.settings import Settings


def build_calendar(settings: Settings) -> WorkingCalendar:
    return WorkingCalendar.national(*settings.holidays_files)


def build_ledger(settings: Settings, *, clock: Callable[[], date] = utc_today) -> CreditLedger:
    env = settings.eventsourcing_env()
    if "SQLITE_DBNAME" in env and env["SQLITE_DBNAME"] != ":memory:":
        Path(env["SQLITE_DBNAME"]).parent.mkdir(parents=True, exist_ok=True)
    env["POSTGRES_ENABLE_DB_FUNCTIONS"] = "n"  # see docs/adr/001-notification-order.md
    return CreditLedger(env, name=settings.app_name, calendar=build_calendar(settings),
                        clock=clock, conflict_retries=settings.conflict_retries,
                        policy=policy_from(settings))
