"""Valid listing terms for test stories: notice and expiry as the default policy asks.

A listing needs 5 working days' prior notice and, on the black and key-attention lists, an
expiry within the policy's maximum (ledger.domain.listing_rules); stories that are about
something else take their terms from here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.listing_rules import latest_expiry, latest_notice
from ledger.domain.repair import RepairPolicy

POLICY = RepairPolicy()
CALENDAR = WorkingCalendar.default()


def notice(listed_on: date) -> date:
    """The latest notice the default policy accepts for a listing on `listed_on`."""
    return latest_notice(listed_on, POLICY.listing_notice_days, CALENDAR)


def longest(list_name: str, domain: str, listed_on: date) -> date | None:
    """The policy's latest expiry for the list and domain (None: a red listing, no maximum)."""
    return latest_expiry(POLICY, list_name, domain, listed_on)


def terms(list_name: str, domain: str, listed_on: date) -> dict[str, Any]:
    """notified_on, listed_on and expires_on keywords for Subject.put_on_list."""
    return {"notified_on": notice(listed_on), "listed_on": listed_on,
            "expires_on": longest(list_name, domain, listed_on), "policy": POLICY,
            "calendar": CALENDAR}


def body(list_name: str, domain: str, listed_on: str, **changes: Any) -> dict[str, Any]:
    """A valid POST .../listings body (or NDJSON listing record's fields), with changes."""
    day = date.fromisoformat(listed_on)
    expires = longest(list_name, domain, day)
    return {"list": list_name, "domain": domain, "basis": "重大税收违法",
            "notified_on": notice(day).isoformat(), "listed_on": listed_on,
            "expires_on": expires.isoformat() if expires else None} | changes
