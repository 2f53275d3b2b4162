"""What the public sees on day D: the one definition every reader applies (docs/adr/015).

A record (a penalty's publicity, a listing, and the score points either carries) is shown
on day D when

- it began on or before D (decided_on, listed_on),
- it was not closed on or before D (revoked, repaired, removed, or ended by the expiry
  process: the closing event's business date), and
- its own window had not lapsed by D: a penalty's publicity maximum (`publicity_max_until`),
  a listing's `expires_on`. Both are in the event that opened the record.

So a record leaves the profile, the lists, the score, the indicators and the as-of state on
the day its window lapses, whether or not the expiry process has recorded that yet: the
process only writes down later what the window already said. The profile, list, score and
indicator queries use `shown_sql`; the score's Python fold uses `shown_on`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The field of the opening event that says when its record stops being shown by itself.
LAPSE_FIELDS = {"PenaltyImposed": "publicity_max_until", "Listed": "expires_on",
                # a corrected penalty opens its record again, with its recomputed window
                "PenaltyCorrected": "publicity_max_until"}


def lapses_on(event_type: str, data: Mapping[str, Any]) -> str | None:
    """The first day (ISO) the record an event opens is no longer shown; None: never lapses."""
    name = LAPSE_FIELDS.get(event_type)
    value = data.get(name) if name else None
    return str(value) if value else None


def shown_on(day: str, since: str, closed_on: str | None, lapses: str | None) -> bool:
    """Whether a record is shown on `day` (ISO dates compare as text)."""
    return since <= day and still_open(day, closed_on, lapses)


def still_open(day: str, closed_on: str | None, lapses: str | None) -> bool:
    """Neither closed nor lapsed on or before `day` (whatever day the record began)."""
    return (closed_on is None or closed_on > day) and (lapses is None or lapses > day)


def open_sql(closed: str, lapses: str, day: str = "?") -> str:
    """`still_open` as SQL over two columns; `day` (a placeholder by default) appears twice."""
    return f"({closed} IS NULL OR {closed} > {day}) AND ({lapses} IS NULL OR {lapses} > {day})"


def shown_sql(since: str, closed: str, lapses: str, day: str = "?") -> str:
    """`shown_on` as SQL over three columns; `day` appears three times (bind it thrice)."""
    return f"{since} <= {day} AND {open_sql(closed, lapses, day)}"
