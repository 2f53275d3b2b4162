"""Two runners on one view store: the second to commit a batch finds the offsets moved."""

from __future__ import annotations

from pathlib import Path

from projections.digest import digest
from projections.runner import Runner, prepare
from projections.views.lists import VIEW as LISTS
from projections.views.profiles import VIEW as PROFILES
from tests.unit._envelopes import ListFeed, Story, store_at

VIEWS = [PROFILES, LISTS]


def test_a_batch_polled_from_stale_offsets_is_dropped_not_applied_twice(tmp_path: Path) -> None:
    story = Story()
    for i in range(6):
        story.register(f"9121110000000{i:04d}X", f"Firm {i}")
    records = story.records()
    store, feed = store_at(tmp_path), ListFeed(records)
    first, second = (Runner(store, lambda: feed, VIEWS) for _ in range(2))
    conn_a, conn_b = store.connect(), store.connect()
    prepare(store, conn_a, feed, VIEWS)
    # Both polled the same batch from offset 0; the first commits it.
    assert first.commit(conn_a, {0: 0}, records) == {0: records[-1].offset + 1}
    before = digest(store)
    # The second is told where the lane now stands, and applies nothing.
    assert second.commit(conn_b, {0: 0}, records) == {0: records[-1].offset + 1}
    assert second.applied == 0 and first.applied == 6
    assert digest(store) == before
    conn_a.close()
    conn_b.close()
