"""The embedded feed reads the store's log as one partition, envelopes exactly as published."""

from __future__ import annotations

from pathlib import Path

from ledger.build import build_ledger
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from projections.store_feed import StoreFeed
from tests.projection_story import TODAY, story


def test_the_store_feed_gives_the_published_envelopes_from_any_offset(tmp_path: Path) -> None:
    ledger = build_ledger(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}",
                                   app_name="FeedTest", env="test"), clock=lambda: TODAY)
    story(ledger)
    feed = StoreFeed(ledger.recorder)
    head = ledger.head_position()
    assert feed.partitions() == [0] and feed.end_offsets() == {0: head + 1}
    published = [envelope_from_notification(n)
                 for n in ledger.recorder.select_notifications(start=1, limit=1000)]
    records = feed.poll({0: 0}, 1000, 0)
    assert [r.envelope for r in records] == published
    assert [r.offset for r in records] == [e["position"] for e in published]
    # From the middle, a page at a time; and nothing past the head.
    page = feed.poll({0: 5}, 3, 0)
    assert [r.offset for r in page] == [5, 6, 7]
    assert feed.poll({0: head + 1}, 10, 0) == []
    ledger.close()

