"""The ledger from settings: its store, calendar and policy. Processes are assembled in
api/bootstrap.py, the composition root (docs/adr/019)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson

from ledger.application import CreditLedger, utc_today
from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.regions import Geography, RegionTable
from ledger.domain.repair import RepairPolicy
from ledger.domain.scenarios import ScenarioCatalogue
from ledger.settings import Settings


def policy_from(settings: Settings) -> RepairPolicy:
    """The repair policy: defaults, the day settings, then the optional policy file."""
    policy = RepairPolicy(decision_days=settings.repair_decision_days,
                          notify_days=settings.repair_notify_days,
                          four_eyes=settings.repair_four_eyes)
    if settings.repair_policy_file is None:
        return policy
    raw = orjson.loads(settings.repair_policy_file.read_bytes())
    unknown = set(raw) - {"non_repairable", "listing_min_months", "listing_max_months",
                          "listing_notice_days"}
    if unknown:
        raise ValueError(f"{settings.repair_policy_file}: unknown repair policy keys "
                         f"{sorted(unknown)}")
    notice = raw.get("listing_notice_days", policy.listing_notice_days)
    if not isinstance(notice, int) or isinstance(notice, bool) or not 0 <= notice <= 60:
        raise ValueError(f"{settings.repair_policy_file}: listing_notice_days must be a whole "
                         f"number of working days from 0 to 60, got {notice!r}")
    if "non_repairable" in raw:
        raw["non_repairable"] = frozenset(raw["non_repairable"])
    return replace(policy, **raw)


def build_authorities(settings: Settings) -> AuthorityCatalogue:
    return AuthorityCatalogue.load(settings.authorities_file)


def build_regions(settings: Settings) -> RegionTable:
    return RegionTable.load(settings.regions_file)


def build_geography(settings: Settings) -> Geography:
    """The regions table and the authority catalogue, which together place a subject."""
    return Geography(build_regions(settings), build_authorities(settings))
def build_scenarios(settings: Settings) -> ScenarioCatalogue:
    return ScenarioCatalogue.load(settings.scenarios_file)


def build_calendar(settings: Settings) -> WorkingCalendar:
    return WorkingCalendar.national(*settings.holidays_files)


def build_ledger(settings: Settings, *, clock: Callable[[], date] = utc_today) -> CreditLedger:
    env = settings.eventsourcing_env()
    if "SQLITE_DBNAME" in env and env["SQLITE_DBNAME"] != ":memory:":
        Path(env["SQLITE_DBNAME"]).parent.mkdir(parents=True, exist_ok=True)
    env["POSTGRES_ENABLE_DB_FUNCTIONS"] = "n"  # see docs/adr/001-notification-order.md
    return CreditLedger(env, name=settings.app_name, calendar=build_calendar(settings),
                        clock=clock, conflict_retries=settings.conflict_retries,
                        policy=policy_from(settings), scenarios=build_scenarios(settings))
