"""The score, repair, timeliness and indicator views give the same answers on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from projections.views import indicators, repair_ratios, scores, timeliness
from projections.views._scorecard import scorecard
from tests.unit._viewtx import SqlViewTx
from tests.unit.test_views_indicators import VIEWS, city, project

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_tx(pg_url: str, unique_name: str) -> Iterator[SqlViewTx]:
    conn = psycopg.connect(pg_url)
    tx = SqlViewTx(conn, "postgresql", generation=unique_name.lower())
    try:
        yield tx
    finally:
        conn.rollback()
        for view in VIEWS:
            for table in view.tables:
                conn.execute(f"DROP TABLE IF EXISTS {tx.t(table)}")
        conn.commit()
        conn.close()


def test_postgresql_and_sqlite_views_agree(pg_tx: SqlViewTx) -> None:
    # The same city, projected into real PostgreSQL tables and into SQLite.
    story = city()
    pg_tx.create(*VIEWS)
    pg_tx.feed(VIEWS, story.envelopes)
    lite = project(story)
    for as_of in ("2021-01-10", "2021-07-01", "2022-06-01"):
        assert scorecard(indicators.VIEW, pg_tx, as_of) == scorecard(indicators.VIEW, lite, as_of)
        assert repair_ratios.VIEW.ratios(pg_tx, as_of) == repair_ratios.VIEW.ratios(lite, as_of)
        assert timeliness.VIEW.authorities(pg_tx, as_of) == timeliness.VIEW.authorities(lite,
                                                                                       as_of)
        for code in ("E1", "E2", "P1"):
            assert scores.VIEW.score(pg_tx, code, as_of) == scores.VIEW.score(lite, code, as_of)
    e1 = scores.VIEW.score(pg_tx, "E1")
    assert e1 is not None and e1.score == 855
