"""Per-subject timelines: its events (and its related subjects'), in commit order, with snapshots.

A warm as-of question reads only the rows recorded since the last one (an index lookup),
restores the nearest snapshot of the in-memory views at or before the cut, and applies the
few events in between. Snapshots are serialised SQLite databases, bounded in total size.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.domain.subject import subject_stream
from ledger.store.notifications import envelope_from_stored
from projections.view import View
from replay.memory import MemoryViews
from replay.rows import stream_rows

SNAPSHOT_EVERY = 16
MAX_SNAPSHOT_BYTES = 256 << 20
ODD_SNAPSHOTS = 4  # snapshots at cuts that are not multiples of SNAPSHOT_EVERY
ANSWERS = 32  # answers kept per timeline, by (cut, day, effective date)
# An event's recorded_at is taken before its transaction commits; no save takes this long, so
# a cut this much older than a refresh already saw every event it will ever contain.
SETTLE = timedelta(minutes=5)
Answer = tuple[dict[str, Any] | None, dict[str, Any] | None]  # (profile, score)


@dataclass
class Timeline:
    """The events of a few streams merged by position, and views snapshotted at prefixes."""

    streams: dict[str, int] = field(default_factory=dict)  # stream -> last version loaded
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    recorded: list[datetime] = field(default_factory=list)
    snapshots: dict[int, bytes] = field(default_factory=dict)  # prefix length -> views
    answers: OrderedDict[Any, Answer] = field(default_factory=OrderedDict)
    refreshed_at: datetime | None = None  # when the last read of newer rows began

    def settled(self, as_of: datetime | None) -> bool:
        """Whether no event recorded by `as_of` can still appear (so no read is needed)."""
        return (as_of is not None and self.refreshed_at is not None
                and as_of < self.refreshed_at - SETTLE)

    @property
    def size(self) -> int:
        return sum(len(s) for s in self.snapshots.values())

    def merge(self, new: list[dict[str, Any]]) -> None:
        """Add newly read events; snapshots past the first place they land are dropped."""
        if not new:
            return
        new.sort(key=lambda e: e["position"])
        first = bisect_right([e["position"] for e in self.envelopes], new[0]["position"])
        self.envelopes = sorted(self.envelopes + new, key=lambda e: e["position"])
        self.recorded = [datetime.fromisoformat(e["recorded_at"]) for e in self.envelopes]
        self.snapshots = {n: s for n, s in self.snapshots.items() if n <= first}
        self.answers.clear()

    def remember(self, key: Any, answer: Answer) -> Answer:
        self.answers[key] = answer
        while len(self.answers) > ANSWERS:
            self.answers.popitem(last=False)
        return answer

    def cut(self, as_of: datetime | None) -> tuple[int, list[dict[str, Any]]]:
        """The longest prefix recorded by `as_of`, and any later-positioned events also were."""
        if as_of is None:
            return len(self.envelopes), []
        n = 0
        while n < len(self.recorded) and self.recorded[n] <= as_of:
            n += 1
        # A commit can land after one that started later: take those too, outside snapshots.
        extra = [e for e, r in zip(self.envelopes[n:], self.recorded[n:], strict=True)
                 if r <= as_of]
        return n, extra


class Timelines:
    """Timelines of recently asked subjects, refreshed from the store on every question."""

    def __init__(self, recorder: Any, views: Sequence[View], *, every: int = SNAPSHOT_EVERY,
                 max_bytes: int = MAX_SNAPSHOT_BYTES) -> None:
        self.recorder, self.views = recorder, list(views)
        self.every, self.max_bytes = every, max_bytes
        self._cache: OrderedDict[str, Timeline] = OrderedDict()

    def cached(self, code: str) -> Timeline | None:
        return self._cache.get(code)

    def get(self, code: str, related: Sequence[str] = ()) -> Timeline:
        """The subject's timeline with every row recorded since the last call read in."""
        timeline = self._cache.pop(code, None) or Timeline()
        self._cache[code] = timeline
        timeline.refreshed_at = datetime.now(UTC)
        new: list[dict[str, Any]] = []
        for c in (code, *related):
            stream = str(subject_stream(c))
            after = timeline.streams.get(stream, 0)
            rows = stream_rows(self.recorder, stream, after_version=after)
            new += [envelope_from_stored(r.topic, r.stream, r.version, r.state, r.position)
                    for r in rows]
            timeline.streams[stream] = rows[-1].version if rows else after
        timeline.merge(new)
        self._evict()
        return timeline

    def views_at(self, timeline: Timeline, n: int) -> MemoryViews:
        """The views after the first n events: nearest snapshot, then the rest applied."""
        start = max((k for k in timeline.snapshots if k <= n), default=0)
        views = MemoryViews(self.views, timeline.snapshots.get(start))
        while start < n:
            step = min(n, (start // self.every + 1) * self.every)
            views.apply(timeline.envelopes[start:step])
            start = step
            if start % self.every == 0 or start == n:
                timeline.snapshots[start] = views.snapshot()
        self._prune(timeline)
        return views

    def _prune(self, timeline: Timeline) -> None:
        """Keep the regular snapshots, and only the last few taken at arbitrary cuts."""
        odd = [k for k in timeline.snapshots if k % self.every]
        for k in odd[:-ODD_SNAPSHOTS]:
            del timeline.snapshots[k]

    def _evict(self) -> None:
        while len(self._cache) > 1 and sum(t.size for t in self._cache.values()) > self.max_bytes:
            self._cache.popitem(last=False)
