"""Stories about rebuilding views while the old generation keeps serving, then swapping."""

from __future__ import annotations

from pathlib import Path

from projections import catalog
from projections.digest import digest
from projections.rebuild import rebuild
from projections.runner import Runner, prepare
from projections.storage import ViewStore
from projections.views.lists import VIEW as LISTS
from projections.views.profiles import VIEW as PROFILES
from projections.views.profiles import ProfilesView
from tests.unit._envelopes import ListFeed, Story, store_at

VIEWS = [PROFILES, LISTS]


def city(n: int) -> Story:
    story = Story()
    for i in range(n):
        code = f"9121110000000{i:04d}X"
        story.register(code, f"Firm {i:03d}")
        story.add(code, "Listed", "2025-03-03", {
            "listing_id": f"l-{i}", "list": "black", "domain": "tax", "basis": "b",
            "notified_on": "2025-03-01", "listed_on": "2025-03-03", "expires_on": None,
            "removal_conditions": "pays"})
    return story


def run_live(store: ViewStore, feed: ListFeed, upto: int | None = None) -> None:
    """What the runner does, batch by batch, up to a number of records."""
    runner = Runner(store, lambda: feed, VIEWS, batch=7)
    conn = store.connect()
    prepare(store, conn, feed, VIEWS)
    with store.transaction(conn) as tx:
        offsets = {0: catalog.offsets(tx, catalog.LIVE).get(0, 0)}
    while records := feed.poll(offsets, 7, 0):
        if upto is not None:
            records = [r for r in records if r.offset <= upto]
            if not records:
                break
        offsets = runner.commit(conn, offsets, records)
    conn.close()


def serving(store: ViewStore) -> dict[str, int]:
    with store.reader() as tx:
        return {view: gen for view, (gen, _, _) in catalog.generations(tx).items()}


def count(store: ViewStore, table: str) -> int:
    with store.reader() as tx:
        row = tx.fetchone(f"SELECT count(*) FROM {tx.t(table)}")
    return int(row[0]) if row else 0


def test_old_tables_serve_during_a_rebuild_and_the_swap_is_atomic(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed = ListFeed(city(30).records())
    run_live(store, feed)
    before, old = digest(store), serving(store)
    seen_during: list[dict[str, int]] = []
    conn = store.connect()
    report = rebuild(store, conn, feed, VIEWS, VIEWS, batch=10, grace=0,
                     progress=lambda *_: seen_during.append(serving(store)))
    assert seen_during and all(s == old for s in seen_during)
    assert report.events == 60 and set(serving(store).values()) == {report.generation}
    assert digest(store) == before
    # The old generation's tables are gone.
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert not [t for (t,) in tables if t.endswith(f"_g{old['profiles']}")]
    conn.close()


def test_rebuilding_one_view_ahead_of_a_stopped_runner_keeps_the_others_in_step(
        tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed = ListFeed(city(20).records())
    run_live(store, feed, upto=15)  # the runner stopped half way
    assert count(store, "list_entry") < 20
    conn = store.connect()
    rebuild(store, conn, feed, VIEWS, [LISTS], grace=0)
    conn.close()
    # The rebuilt view is complete, and the view not rebuilt was brought to the same offsets.
    assert count(store, "list_entry") == 20 and count(store, "profile_subject") == 20
    reference = store_at(tmp_path / "ref")
    run_live(reference, feed)
    assert digest(store) == digest(reference)


def test_a_view_whose_tables_changed_is_rebuilt_when_the_runner_starts(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    feed = ListFeed(city(5).records())
    run_live(store, feed)
    changed = ProfilesView()
    changed.indexes = [*changed.indexes, "CREATE INDEX by_kind ON {profile_subject} (kind)"]
    conn = store.connect()
    prepare(store, conn, feed, [changed, LISTS])
    conn.close()
    after = serving(store)
    assert after["profiles"] != after["lists"]
    assert count(store, "profile_subject") == 5
