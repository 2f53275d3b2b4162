"""The bookkeeping behind warm as-of answers: cuts, late commits, snapshots, settled times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from replay.timeline import SETTLE, Timeline

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def event(position: int, seconds: int, stream: str = "s1") -> dict:
    return {"position": position, "stream": stream, "version": position,
            "recorded_at": (T0 + timedelta(seconds=seconds)).isoformat()}


def test_a_cut_is_the_prefix_recorded_by_then_plus_late_commits():
    timeline = Timeline()
    # Position 3 committed after position 4 although it was recorded earlier.
    timeline.merge([event(1, 0), event(2, 10), event(3, 30, "s2"), event(4, 20)])
    n, extra = timeline.cut(T0 + timedelta(seconds=25))
    assert n == 2 and [e["position"] for e in extra] == [4]
    assert timeline.cut(None) == (4, [])
    assert timeline.cut(T0 - timedelta(seconds=1)) == (0, [])


def test_new_events_drop_the_snapshots_and_answers_they_invalidate():
    timeline = Timeline()
    timeline.merge([event(1, 0), event(2, 1), event(5, 2, "s2")])
    timeline.snapshots = {1: b"a", 2: b"b", 3: b"c"}
    timeline.remember("key", ({"code": "x"}, None))
    # Another stream's event lands at position 3, before the snapshot taken after 3 events.
    timeline.merge([event(3, 3, "s3")])
    assert [e["position"] for e in timeline.envelopes] == [1, 2, 3, 5]
    assert sorted(timeline.snapshots) == [1, 2]
    assert not timeline.answers


def test_only_cuts_well_before_the_last_read_are_settled():
    timeline = Timeline(refreshed_at=T0)
    assert timeline.settled(T0 - SETTLE - timedelta(seconds=1))
    assert not timeline.settled(T0 - SETTLE + timedelta(seconds=1))
    assert not timeline.settled(None)  # "now" is never settled
    assert not Timeline().settled(T0 - timedelta(days=365))  # never read: read first
