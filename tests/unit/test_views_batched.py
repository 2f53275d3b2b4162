"""Views applied a batch at once (the runner's way) hold exactly the rows of event by event."""

from __future__ import annotations

import copy
from datetime import date
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.scoring import contributions, default_book
from projections.held import Held
from projections.views import load_views
from tests.unit._story import Story
from tests.unit._viewtx import SqlViewTx
from tests.unit.test_scoring import ACTIONS, play

VIEWS = load_views()


class ManyTx(SqlViewTx):
    """The test transaction with executemany, as the runner's transaction has it."""

    def executemany(self, sql: str, rows: list[Any]) -> None:
        self.conn.executemany(self._sql(sql), [tuple(r) for r in rows])


def tables(tx: SqlViewTx) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows, in a canonical order."""
    return {t: sorted(tx.fetchall(f"SELECT * FROM {tx.t(t)}"), key=repr)
            for v in VIEWS for t in v.tables}


def one_by_one(envelopes: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    tx = SqlViewTx.memory()
    tx.create(*VIEWS)
    for env in envelopes:
        for view in VIEWS:
            view.apply(tx, env)
    return tables(tx)


def batched(envelopes: list[dict[str, Any]], cuts: list[int], *, hold: bool = False,
            ) -> dict[str, list[tuple[Any, ...]]]:
    """The envelopes applied in batches cut at `cuts`; with `hold`, as a rebuild's stage
    applies them: counters and earliest dates held over every batch, written at the end."""
    tx = ManyTx.memory()
    tx.create(*VIEWS)
    tx.held = Held() if hold else None
    bounds = [0, *sorted(c % (len(envelopes) + 1) for c in cuts), len(envelopes)]
    for start, end in pairwise(bounds):
        for view in VIEWS:
            view.apply_many(tx, envelopes[start:end])
    if tx.held is not None:
        tx.held.write(tx)
    return tables(tx)


def city(actions: list[list[Any]]) -> Story:
    story = Story()
    for i, acts in enumerate(actions):
        code = f"S{i}"
        story.register(code, kind="natural_person" if i % 3 == 2 else "enterprise",
                       on="2018-01-01")
        play(story, code, acts)
        story.repair_event(code, "RepairTrainingCompleted", "2021-09-01")
    return story


@settings(max_examples=40, deadline=None)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=4),
       cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=4))
def test_any_batching_gives_the_rows_of_one_by_one(actions: list[Any], cuts: list[int]) -> None:
    envelopes = city(actions).envelopes
    assert batched(envelopes, cuts) == one_by_one(envelopes)


@settings(max_examples=25, deadline=None)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=4),
       cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=4))
def test_counters_held_over_every_batch_give_the_rows_of_one_by_one(
        actions: list[Any], cuts: list[int]) -> None:
    envelopes = city(actions).envelopes
    assert batched(envelopes, cuts, hold=True) == one_by_one(envelopes)


def test_an_update_before_its_insert_in_one_batch_still_misses() -> None:
    # Out of order on purpose (no aggregate would allow it): a listing removed, then made;
    # a penalty revoked, then imposed. One by one, the update finds nothing to update.
    s = Story()
    s.register("E1")
    listing = s.listing("E1", "black")
    s.delist("E1", listing, on="2021-07-01", reason="revoked")
    number = s.penalty("E1", on="2021-03-01")
    s.revoke_penalty("E1", number, on="2021-04-01")
    envelopes = copy.deepcopy(s.envelopes)
    envelopes[1], envelopes[2] = envelopes[2], envelopes[1]
    envelopes[3], envelopes[4] = envelopes[4], envelopes[3]
    expected = one_by_one(envelopes)
    assert batched(envelopes, []) == expected
    [entry] = expected["list_entry"]
    assert entry[-3] is None  # never delisted: the removal came first


def test_score_rows_are_the_domain_contributions() -> None:
    day = date(2021, 5, 1)
    story = city([[("penalty", "serious", day), ("black", "general", day), ("kept", "", day),
                   ("permit", "", day)]])
    tx = ManyTx.memory()
    tx.create(*[v for v in VIEWS if v.name == "scores"])
    expected = []
    for env in story.envelopes:
        made = contributions(default_book(), "enterprise", env)
        expected += [(c.event_id, c.rule, env["subject"], c.key, c.points, c.model_version,
                      c.stream, c.version, c.type, c.on) for c in made]
    scores = next(v for v in VIEWS if v.name == "scores")
    scores.apply_many(tx, story.envelopes)
    found = tx.fetchall(f"SELECT event_id, rule, code, record, points, model_version, stream, "
                        f"version, type, on_day FROM {tx.t('score_contribution')}")
    assert sorted(found) == sorted(expected) and len(expected) == 5
