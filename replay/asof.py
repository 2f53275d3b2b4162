"""A subject's state as the ledger knew it at a record time, and as in force on a business date.

Bitemporal: `as_of` (record time) keeps only events recorded at or before it; `effective`
(business time) keeps only facts in force on that date, as known at `as_of` (or now), and
evaluates calendar rules (publicity windows, list expiry, score dates) on it. The answer is
built by the projection views' own code in a private in-memory store (replay.memory) and read
with the public API's queries, so it is what the API would have answered.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ledger.domain.errors import NotFound
from ledger.domain.scoring import Contribution, business_day
from ledger.privacy import redact
from projections import profile_sql
from projections.storage import ViewsNotReady
from projections.view import View
from replay.memory import MemoryViews, subject_views
from replay.timeline import Answer, Timeline, Timelines

Related = Callable[[str], Sequence[str]]


def no_related(code: str) -> Sequence[str]:
    return ()


def in_force(envelope: dict[str, Any], effective: date) -> bool:
    """A fact counts on `effective` from its business date; identity always counts."""
    return envelope["type"] == "SubjectRegistered" or business_day(envelope) <= \
        effective.isoformat()


def score_of(views: MemoryViews, code: str, on: str | None) -> dict[str, Any] | None:
    """The score as GET /v1/subjects/{code}/score shows it, with every line of explanation."""
    scores: Any = next((v for v in views.views if v.name == "scores"), None)
    found = scores.score(views.tx(), code, on) if scores is not None else None
    if found is None:
        return None
    return {"code": code, "family": found.family, "scale": found.scale,
            "model_version": found.model_version, "score": found.score, "grade": found.grade,
            "poor": found.poor, "as_of": on, "explanation": [line(c) for c in found.explanation]}


def line(c: Contribution) -> dict[str, Any]:
    event = ({"id": c.event_id, "type": c.type, "stream": c.stream, "version": c.version}
             if c.event_id else None)
    return {"points": c.points, "rule": c.rule, "model_version": c.model_version,
            "record": c.key, "on": c.on, "event": event}


class AsOf:
    """Answers state questions for any subject; keeps warm timelines between questions."""

    def __init__(self, recorder: Any, *, related: Related = no_related,
                 views: Sequence[View] | None = None,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self.timelines = Timelines(recorder, views if views is not None else subject_views())
        self.related, self.today = related, today
        self._lock = threading.Lock()

    def state(self, code: str, as_of: datetime | None = None,
              effective: date | None = None) -> dict[str, Any]:
        """Profile, list memberships and score with explanation; NotFound if unknown then."""
        day = effective or (as_of.astimezone(UTC).date() if as_of else self.today())
        with self._lock:
            timeline = self.timelines.cached(code)
            if timeline is None or not timeline.settled(as_of):
                timeline = self.timelines.get(code, self.related(code))
            n, extra = timeline.cut(as_of)
            # History does not change: one cut read on one day always gives the same answer.
            key = (n, tuple(e["position"] for e in extra), day, effective)
            found = timeline.answers.get(key)
            if found is None:
                found = timeline.remember(key, self._answer(timeline, code, n, extra, day,
                                                            effective))
        profile, score = found
        if profile is None:
            when = f" as of {as_of.isoformat()}" if as_of else ""
            raise NotFound(f"no subject with code {redact(code)!r}{when}", field="code")
        return {"code": code, "as_of": as_of.isoformat() if as_of else None,
                "effective": effective.isoformat() if effective else None,
                "day": day.isoformat(), "known": known(timeline, code, n, extra),
                "profile": profile, "score": score}

    def at_position(self, code: str, position: int, day: date) -> dict[str, Any]:
        """Profile and score after every event up to a global `position`, read on `day` (a
        credit report's cut: commits land in position order, docs/adr/001, so it never moves)."""
        with self._lock:
            timeline = self.timelines.get(code, self.related(code))
            n = bisect_right([e["position"] for e in timeline.envelopes], position)
            key = ("position", n, day)
            found = timeline.answers.get(key)
            if found is None:
                found = timeline.remember(key, self._answer(timeline, code, n, [], day, None))
        profile, score = found
        if profile is None:
            raise NotFound(f"no subject with code {redact(code)!r} at position {position}",
                           field="code")
        return {"code": code, "position": position, "day": day.isoformat(),
                "known": known(timeline, code, n, []), "profile": profile, "score": score}

    def _answer(self, timeline: Timeline, code: str, n: int, extra: list[dict[str, Any]],
                day: date, effective: date | None) -> Answer:
        if effective is None:
            views = self.timelines.views_at(timeline, n)
            views.apply(extra)
        else:
            views = MemoryViews(self.timelines.views)  # business-time filters defeat snapshots
            views.apply(e for e in [*timeline.envelopes[:n], *extra] if in_force(e, effective))
        try:
            profile = profile_sql.profile(views.tx(), code, day.isoformat())
            if profile is None:
                return None, None
            # The score is read on the profile's day: both show what was visible then.
            return profile, score_of(views, code, day.isoformat())
        finally:
            views.close()


def known(timeline: Timeline, code: str, n: int, extra: list[dict[str, Any]],
          ) -> dict[str, Any]:
    """What the ledger had recorded of this subject at the cut: its last event and hash."""
    mine = [e for e in [*timeline.envelopes[:n], *extra] if e["subject"] == code]
    last = mine[-1] if mine else None
    return {"events": len(mine), "version": last["version"] if last else 0,
            "position": last["position"] if last else None,
            "head_hash": last["hash"] if last else None,
            "recorded_at": last["recorded_at"] if last else None}


def led_in_live_views(store: Any) -> Related:
    """Organisations a subject leads (穿透), from the live profile view; none if not built."""
    def related(code: str) -> Sequence[str]:
        try:
            with store.reader() as tx:
                return [r[0] for r in tx.fetchall(
                    f"SELECT DISTINCT code FROM {tx.t('profile_principal')} "
                    "WHERE principal = ? ORDER BY code", (code,))]
        except ViewsNotReady:
            return ()

    return related
