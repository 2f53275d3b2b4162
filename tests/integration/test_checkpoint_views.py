"""Checkpoints are events like any other on the feeds: the views pass over them unchanged."""

from __future__ import annotations

from pathlib import Path

from api.bootstrap import bootstrap
from ledger.checkpoints import checkpointer_for
from ledger.settings import Settings
from projections.digest import table_digests
from projections.rebuild import rebuild_named
from projections.runner import Runner, feed_factory
from projections.storage import view_store
from projections.views import load_views
from replay.asof import AsOf
from tests.calls import register
from tests.integration._projection_helpers import run_until
from tests.projection_story import ACME, MARKET, TODAY, story

LATE = "91350100M000100Y43"


def project(database_url: str, app_name: str, checkpoints: bool) -> dict[str, str]:
    """The projection story (and one more subject) projected through the store's feed, with
    signed checkpoints recorded along the way (every 10 events) or none."""
    settings = Settings(database_url=database_url, app_name=app_name, env="test",
                        checkpoint_every_events=10)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    story(runtime.ledger)
    if checkpoints:
        assert checkpointer_for(runtime).record(force=True)
    register(runtime.ledger, code=LATE, name="Late Co.", kind="enterprise", masked=None,
                            authority=MARKET, actor="clerk-1", registered_on=TODAY)
    if checkpoints:
        assert checkpointer_for(runtime).record(force=True)
    store, views = view_store(runtime), load_views()
    run_until(Runner(store, feed_factory(runtime), views, batch=7),
              runtime.ledger.head_position())
    live = table_digests(store)
    # A rebuild from the store's log reads the same checkpoints and agrees with the live views.
    rebuild_named(store, feed_factory(runtime), views, "all", grace=0)
    assert table_digests(store) == live
    # The auditor's as-of state of a subject ignores the ledger-wide stream.
    assert AsOf(runtime.ledger.recorder).state(ACME, None, None)["known"]["version"] > 1
    runtime.close()
    return live


def test_views_are_the_same_with_and_without_checkpoints(tmp_path: Path, pg_url: str,
                                                         unique_name: str):
    for url in (f"sqlite:///{tmp_path / 'with.sqlite3'}", pg_url):
        with_checkpoints = project(url, unique_name + "c", checkpoints=True)
        without = project(url.replace("with.", "without."), unique_name + "n",
                          checkpoints=False)
        assert with_checkpoints == without
