"""A rebuild into PostgreSQL spools the score contributions past SQLite and ends them after
the load (projections.spool): the rows are those of the views applied one event at a time,
ends included, for any history."""

from __future__ import annotations

import copy
import uuid
from datetime import date
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.feed import Record
from projections.rebuild import rebuild
from projections.spool import Spool, copy_line
from projections.stage_copy import copy_file
from projections.storage import ViewStore
from tests.unit._envelopes import ListFeed
from tests.unit._story import Story
from tests.unit.test_scoring import ACTIONS
from tests.unit.test_views_batched import VIEWS, city, one_by_one

pytestmark = [pytest.mark.postgres]


def rebuilt(pg_url: str, envelopes: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows after a staged rebuild of the envelopes into PostgreSQL."""
    store = ViewStore(pg_url, "t" + uuid.uuid4().hex[:10])
    conn = store.connect()
    try:
        feed = ListFeed([Record(0, n, e) for n, e in enumerate(envelopes, start=1)])
        rebuild(store, conn, feed, VIEWS, VIEWS, batch=3, grace=0)
        with store.reader() as tx:
            return {t: sorted(tx.fetchall(f"SELECT * FROM {tx.t(t)}"), key=repr)
                    for v in VIEWS for t in v.tables}
    finally:
        for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                                    (store.prefix + "%",)).fetchall():
            conn.execute(f'DROP TABLE "{name}"')
        conn.close()
        store.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(ACTIONS, min_size=1, max_size=4))
def test_a_staged_rebuild_gives_the_rows_of_one_by_one(pg_url: str,
                                                       actions: list[Any]) -> None:
    envelopes = city(actions).envelopes
    assert rebuilt(pg_url, envelopes) == one_by_one(envelopes)


def test_a_contribution_is_ended_by_the_first_of_its_enders_only(pg_url: str) -> None:
    s = Story()
    s.register("E1")
    first = s.penalty("E1", "serious", on="2021-03-01")
    s.penalty("E1", "general", on="2021-03-02")  # the same subject's other record stays
    s.end_publicity("E1", first, on="2021-06-01")
    listing = s.listing("E1", "black", on="2021-04-01")
    s.delist("E1", listing, on="2021-05-01")
    envelopes = copy.deepcopy(s.envelopes)
    # No aggregate would allow these: the penalty revoked after its publicity ended (the
    # first end stays), and a listing removed before it was made (nothing to end yet).
    again = copy.deepcopy(next(e for e in envelopes if e["type"] == "PenaltyPublicityEnded"))
    again |= {"type": "PenaltyRevoked", "version": len(envelopes) + 1,
              "id": str(uuid.uuid4()), "occurred_at": "2021-07-01T00:00:00+08:00",
              "data": {**again["data"], "revoked_on": "2021-07-01", "reason": "x"}}
    envelopes.append(again)
    made, removed = (next(i for i, e in enumerate(envelopes) if e["type"] == t)
                     for t in ("Listed", "Delisted"))
    envelopes[made]["version"], envelopes[removed]["version"] = (
        envelopes[removed]["version"], envelopes[made]["version"])
    envelopes[made], envelopes[removed] = envelopes[removed], envelopes[made]
    expected = one_by_one(envelopes)
    ends = {(r[3].split("|")[0], r[11]) for r in expected["score_contribution"] if r[3] != "base"}
    assert ("penalty", "2021-06-01") in ends and ("penalty", None) in ends
    assert all(on is None for kind, on in ends if kind == "listing")
    assert rebuilt(pg_url, envelopes) == expected


def test_spooled_text_reaches_postgresql_exactly(pg_url: str) -> None:
    rows = [("tab\there", "new\nline", 1), ("back\\slash\\N", "cr\r", -7),
            (None, "", 2**62), ("统一社会信用代码 🙂", "\\t", 0)]
    path = f"/tmp/spool-{uuid.uuid4().hex}.copy"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(copy_line(r) for r in rows))
    with psycopg.connect(pg_url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE spooled (a TEXT, b TEXT, n BIGINT)")
        copy_file(path, cur, "spooled")
        cur.execute("SELECT a, b, n FROM spooled")
        assert cur.fetchall() == rows
    with pytest.raises(FileNotFoundError):  # a spool file never made is an error, not no rows
        copy_file(path + ".missing", None, "spooled")


def test_rows_of_a_table_no_view_declares_spooled_are_refused(tmp_path: Any) -> None:
    spool = Spool(str(tmp_path / "stage.sqlite3"))
    spool.declare(["score_contribution"])
    spool.write("score_contribution", [("a", 1)])
    with pytest.raises(RuntimeError, match="'ind_subject' were spooled, but no view declares"):
        spool.write("ind_subject", [("b", 2)])
    spool.close()
    with pytest.raises(RuntimeError, match="or the stage is closed"):
        spool.write("score_contribution", [("c", 3)])


def test_a_spooled_row_refuses_what_copy_text_could_not_carry_exactly() -> None:
    with pytest.raises(TypeError, match="text, integers and NULL only, not float"):
        copy_line(("a", 1.5))
    with pytest.raises(TypeError, match="not date"):
        copy_line((date(2021, 1, 1),))


def test_deferred_permit_and_penalty_updates_leave_the_last_one_after_each_row(
        pg_url: str) -> None:
    s = Story()
    s.register("E1")
    kept = s.permit("E1", on="2021-01-04")
    late = s.permit("E1", on="2021-01-05")
    number = s.penalty("E1", on="2021-03-01")
    s.revoke_penalty("E1", number, on="2021-04-01")
    s.end_publicity("E1", s.penalty("E1", on="2021-03-02"), on="2021-05-01")
    envelopes = copy.deepcopy(s.envelopes)
    grants = [e for e in envelopes if e["type"] == "PermitGranted"]
    assert [g["data"]["decision_no"] for g in grants] == [kept, late]

    def revoked(grant: dict[str, Any], version: int, on: str) -> dict[str, Any]:
        return grant | {"type": "PermitRevoked", "version": version, "id": str(uuid.uuid4()),
                        "data": {"decision_no": grant["data"]["decision_no"],
                                 "revoked_on": on}}

    top = max(e["version"] for e in envelopes)
    # The first permit revoked twice (the later date stays); the second one's revocation
    # comes before its grant (out of order: it misses, as it would one event at a time).
    envelopes += [revoked(grants[0], top + 1, "2021-06-01"),
                  revoked(grants[0], top + 2, "2021-07-01")]
    early = revoked(grants[1], grants[1]["version"], "2021-02-01")
    grants[1]["version"] = top + 3
    envelopes.insert(envelopes.index(grants[1]), early)
    envelopes.remove(grants[1])
    envelopes.append(grants[1])
    # The penalty revoked, then its publicity ended too: the last update stays.
    closed = next(e for e in envelopes if e["type"] == "PenaltyRevoked")
    envelopes.append(closed | {"type": "PenaltyPublicityEnded", "version": top + 4,
                               "id": str(uuid.uuid4()), "data": {
                                   "decision_no": number, "penalty_authority": closed["authority"],
                                   "ended_on": "2021-08-01", "reason": "expired"}})
    expected = one_by_one(envelopes)
    permits = {r[2]: (r[7], r[8]) for r in expected["profile_permit"]}
    assert permits == {kept: ("revoked", "2021-07-01"), late: ("valid", None)}
    penalties = {r[2]: (r[12], r[13]) for r in expected["profile_penalty"]}
    assert penalties[number] == ("ended", "2021-08-01")
    assert rebuilt(pg_url, envelopes) == expected
