"""The demo city loads into an empty store only, and can be turned off. The same on the embedded
SQLite store and on real PostgreSQL."""

from __future__ import annotations

from typing import Any

from api.bootstrap import bootstrap
from ledger.generator.demo import load_demo_if_empty
from ledger.runtime import Runtime
from ledger.settings import Settings


def test_the_demo_city_loads_into_an_empty_store_only_and_can_be_turned_off(
    database_url: str, unique_name: str,
) -> None:
    def runtime(suffix: str, **overrides: Any) -> Runtime:
        url = database_url.replace(".sqlite3", f"{suffix}.sqlite3")
        settings = Settings(database_url=url, app_name=unique_name + suffix, demo_subjects=60,
                            **overrides)
        return bootstrap(settings, background=False)

    demo = runtime("")
    try:
        report = load_demo_if_empty(demo)
        assert report is not None and report.rejected == []
        head = demo.ledger.head_position()
        closed = [n for n in demo.ledger.recorder.select_notifications(start=1, limit=head)
                  if n.topic.endswith("JointCaseClosed")]
        # The import's events, then three per joint case (initiated, a measure, closed).
        assert head == report.events + 3 * len(closed) and report.events > 60
        assert closed  # a red or black listing got its joint case, closed with feedback
        assert load_demo_if_empty(demo) is None  # not empty any more: nothing added
        assert demo.ledger.head_position() == head
    finally:
        demo.close()
    off = runtime("off", demo=False)  # LEDGER_DEMO=0
    try:
        assert load_demo_if_empty(off) is None and off.ledger.head_position() == 0
    finally:
        off.close()
