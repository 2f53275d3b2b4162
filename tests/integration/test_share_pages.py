"""A share of the store's log reads its own events and how far each page went: over all
shares, every event exactly once, with offsets that reach the head (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from ledger.build import build_ledger
from ledger.relay.reading import NotificationReader, in_share
from ledger.settings import Settings
from tests.projection_story import TODAY, bulk, story

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("count", [2, 3])
def test_shares_of_the_log_read_every_event_once(database_url: str, unique_name: str,
                                                  count: int) -> None:
    ledger = build_ledger(Settings(database_url=database_url, app_name=unique_name,
                                   env="test"), clock=lambda: TODAY)
    story(ledger)
    bulk(ledger, 12)  # streams enough for every share to have some
    reader = NotificationReader(ledger.recorder)
    head = ledger.head_position()
    everything = {row[0]: row for row in reader.page(0, head)}
    seen: list[int] = []
    for index in range(count):
        after, own = 0, []
        while after < head:
            page = reader.share_page(after, 4, (index, count))
            full = [p for p in everything if after < p][:4]
            assert page[-1][0] == full[-1]  # the page says how far it went
            own += [row for row in page if row[4] is not None]
            after = page[-1][0]
        assert own and all(row == everything[row[0]] for row in own)  # states as stored
        assert all(in_share(row[1], (index, count)) for row in own)  # both stores alike
        assert len({row[1] for row in own}) < len({row[1] for row in everything.values()})
        seen += [row[0] for row in own]
    assert sorted(seen) == sorted(everything)  # every event once, over the shares
    ledger.close()


def test_a_share_reads_up_to_the_bound_it_is_given(database_url: str, unique_name: str,
                                                   ) -> None:
    ledger = build_ledger(Settings(database_url=database_url, app_name=unique_name,
                                   env="test"), clock=lambda: TODAY)
    story(ledger)
    bulk(ledger, 12)
    reader = NotificationReader(ledger.recorder)
    before = ledger.head_position() // 2
    for index in range(2):
        after = 0
        while True:
            page = reader.share_page(after, 5, (index, 2), before)
            if not page:
                break
            assert all(row[0] < before for row in page)
            after = page[-1][0]
        assert after == before - 1  # the offset reaches the bound, whoever's event is there
    ledger.close()
