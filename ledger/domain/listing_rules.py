"""Rules a new listing meets: prior notice, a stated and bounded period, one at a time.

Listing requires prior notice to the subject of reasons, basis and rights (国办发〔2020〕49号),
and each listing states its period, set per list and domain by the listing authority within
the policy's maximum (DOMAIN.md; RepairPolicy, docs/adr/006 and 015).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import Conflict, RuleViolation
from ledger.domain.publicity import add_months
from ledger.domain.repair import RepairPolicy
from ledger.domain.vocabulary import ListName


class ListingRuleBroken(RuleViolation):
    """A new listing would break a named listing rule (422)."""

    def __init__(self, rule: str, message: str, *, field: str) -> None:
        super().__init__(message, field=field)
        self.rule = rule


class AlreadyListed(Conflict):
    """The subject is already on this list in this domain (409 naming that listing)."""

    rule = "one_active_listing"

    def __init__(self, message: str, *, listing_id: str) -> None:
        super().__init__(message, field="list")
        self.listing_id = listing_id

    def members(self) -> dict[str, Any]:
        return {"listing_id": self.listing_id}


class RepairOnly(Conflict):
    """A removal with reason `repaired` asked for directly, not through a repair case (409)."""

    rule = "repaired_only_by_repair_case"


def latest_notice(listed_on: date, days: int, calendar: WorkingCalendar) -> date:
    """The latest notified_on that gives `days` working days of notice before listed_on."""
    day = listed_on
    while calendar.working_days_between(day, listed_on) < days:
        day -= timedelta(days=1)
    return day


def check_notice(notified_on: date, listed_on: date, days: int,
                 calendar: WorkingCalendar) -> None:
    """listed_on is at least `days` working days after notified_on (the day itself counts)."""
    earliest = calendar.add_working_days(notified_on, days)
    if listed_on < earliest:
        given = calendar.working_days_between(notified_on, listed_on)
        raise ListingRuleBroken(
            "prior_notice",
            f"notified_on {notified_on} gives {given} working day(s) of notice before listed_on "
            f"{listed_on}; listing requires at least {days} working days' prior notice: the "
            f"earliest acceptable listed_on for this notice is {earliest} (or notify by "
            f"{latest_notice(listed_on, days, calendar)})", field="notified_on")


def latest_expiry(policy: RepairPolicy, list_name: str, domain: str,
                  listed_on: date) -> date | None:
    """The last expires_on the policy allows for this list and domain (None: no maximum)."""
    most = policy.listing_months(policy.listing_max_months, list_name, domain)
    return add_months(listed_on, most) if most else None


def check_period(policy: RepairPolicy, list_name: str, domain: str, listed_on: date,
                 expires_on: date | None) -> None:
    """A black or key-attention listing (or a red one where the policy sets a red maximum)
    states its expiry, on or before the policy's maximum for its list and domain."""
    latest = latest_expiry(policy, list_name, domain, listed_on)
    if expires_on is None:
        if list_name != ListName.RED or latest is not None:
            bound = f": at most {latest}" if latest else ""
            raise ListingRuleBroken(
                "expires_on_required", f"a {list_name} listing states its period: expires_on "
                f"is required{bound} (the policy's maximum for {list_name} in {domain})",
                field="expires_on")
        return
    if latest is not None and expires_on > latest:
        raise ListingRuleBroken(
            "listing_max_period", f"expires_on {expires_on} is past the policy's maximum for "
            f"{list_name} listings in {domain}: the latest allowed is {latest}",
            field="expires_on")


def check_one_listing(code: str, active: dict[str, dict[str, Any]], domain: str,
                      listed_on: date, expires_on: date | None) -> None:
    """No other listing of the subject on this list (`active`: those not removed) in this
    domain has a period meeting [listed_on, expires_on)."""
    for listing_id, other in active.items():
        data = other["data"]
        if data["domain"] == domain and overlaps(listed_on, expires_on, data):
            raise AlreadyListed(
                f"subject {code} is already on the {data['list']} list in {domain}: listing "
                f"{listing_id} (listed_on {data['listed_on']}, expires_on {data['expires_on']}, "
                f"by authority {other['authority']}); one listing per subject, list and domain "
                "at a time: remove that one or wait until it expires", listing_id=listing_id)


def overlaps(start: date, end: date | None, data: dict[str, Any]) -> bool:
    """Whether [start, end) meets another listing's [listed_on, expires_on)."""
    other_start = date.fromisoformat(data["listed_on"])
    other_end = date.fromisoformat(data["expires_on"]) if data.get("expires_on") else None
    return (other_end is None or start < other_end) and (end is None or other_start < end)
