"""The two times of a bitemporal question: record time (as of) and business time (effective)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from ledger.domain.bounds import DATE_RANGE_MESSAGE, in_range


class BadTime(ValueError):
    """A time the caller wrote that cannot be read."""


def parse_as_of(text: str | None) -> datetime | None:
    """An instant (UTC if no offset); a bare date means the end of that day, UTC."""
    if text is None or text == "":
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadTime(f"as_of {text!r} is not an ISO 8601 date or instant") from None
    if not in_range(moment.date()):  # and arithmetic near year 1 or 9999 would overflow
        raise BadTime(f"as_of {text!r}: {DATE_RANGE_MESSAGE}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_effective(text: str | None) -> date | None:
    if text is None or text == "":
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadTime(f"effective {text!r} is not an ISO 8601 date") from None
    if not in_range(day):
        raise BadTime(f"effective {text!r}: {DATE_RANGE_MESSAGE}")
    return day


def recorded_by(envelope: dict[str, Any], as_of: datetime | None) -> bool:
    """Whether the ledger had recorded this event at or before `as_of`."""
    return as_of is None or datetime.fromisoformat(envelope["recorded_at"]) <= as_of
