"""A rebuild split into shares by stream: each share's stage, merged, holds the rows of one.

Subjects here share an authority and days (so counters of different shares have the same
keys) and have repair cases on streams of their own (so one subject's repair marks come from
several shares): the merge must add the counters and keep the earliest marks.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ledger.relay.reading import in_share
from projections import shards
from projections.apply import apply_records
from projections.feed import Record
from projections.spool import deferred_table, spool_path
from projections.stage import (
    STAGE_PREFIX,
    create_stage,
    open_stage,
    sweep_stale_stages,
    write_held,
)
from projections.views import load_views
from tests.unit._story import Story

VIEWS = load_views()
LANE = 3


def city() -> list[dict[str, Any]]:
    story = Story()
    for i in range(24):
        code = story.register(f"S{i:02d}", kind="natural_person" if i % 4 == 3 else "enterprise")
        story.permit(code, on="2021-01-04")
        number = story.penalty(code, on="2021-03-01")
        listing = story.listing(code, "black", on="2021-06-01")
        story.commitment(code, kind="repair", on="2021-07-01")
        story.repair_event(code, "RepairTrainingCompleted", f"2021-09-{1 + i % 9:02d}")
        story.repair_event(code, "RepairTrainingCompleted", "2021-08-02")
        story.repair_event(code, "RepairReportSubmitted", "2021-10-11")
        if i % 3 == 0:
            story.end_publicity(code, number, on="2021-12-01")
            story.delist(code, listing, on="2022-01-03")
    return story.envelopes


def stage(path: Path, envelopes: list[dict[str, Any]], share: tuple[int, int] = (0, 1),
          ) -> tuple[Any, Any, dict[str, str]]:
    """A stage file with every view applied to the envelopes of one share, in batches of 7;
    the others come as empty records, as the store's feed gives them (projections.store_feed)."""
    store, conn = open_stage(str(path), "t")
    names = create_stage(store, conn, VIEWS, LANE)
    records = [Record(0, e["position"], e if in_share(e["stream"], share) else {})
               for e in envelopes]
    for i in range(0, len(records), 7):
        with store.transaction(conn, names) as tx:
            apply_records(tx, LANE, VIEWS, records[i:i + 7])
    write_held(store, conn, names)
    return store, conn, names


def rows(conn: Any, table: str, alias: str = "main") -> list[tuple[Any, ...]]:
    return sorted(conn.execute(f"SELECT * FROM {alias}.{table}").fetchall(), key=repr)


def test_merged_shares_hold_the_rows_of_one_stage(tmp_path: Path) -> None:
    envelopes = city()
    assert all(any(in_share(e["stream"], (n, 2)) for e in envelopes) for n in range(2))
    _, whole, names = stage(tmp_path / "whole.sqlite3", envelopes)
    first, conn, _ = stage(tmp_path / "share0.sqlite3", envelopes, (0, 2))
    stage(tmp_path / "share1.sqlite3", envelopes, (1, 2))[1].close()
    merged = {t for v in VIEWS for t in shards.merges_of(v)}
    conn.execute("ATTACH DATABASE ? AS other", (str(tmp_path / "share1.sqlite3"),))
    # The merge has work to do: both shares wrote counter and mark rows with the same keys.
    keys = "SELECT authority, kind, day FROM {}.{}"
    shared = (set(conn.execute(keys.format("main", names["timeliness_day"])).fetchall())
              & set(conn.execute(keys.format("other", names["timeliness_day"])).fetchall()))
    marks = "SELECT code, mark, domain FROM {}.{}"
    shared_marks = (set(conn.execute(marks.format("main", names["repair_mark"])).fetchall())
                    & set(conn.execute(marks.format("other", names["repair_mark"])).fetchall()))
    assert shared and shared_marks
    unmerged = {t: rows(conn, names[t], "other") for v in VIEWS for t in v.tables
                if t not in merged}
    conn.execute("DETACH DATABASE other")

    shards.merge(first, conn, [str(tmp_path / "share1.sqlite3")], VIEWS, LANE)

    for table in sorted(t for v in VIEWS for t in v.tables):
        expected = rows(whole, names[table])
        found = rows(conn, names[table])
        if table not in merged:
            found = sorted(found + unmerged[table], key=repr)  # loaded from both files
        assert found == expected, table
    for table in ("proj_streams", "proj_offsets"):
        assert rows(conn, first.physical(table)) == rows(whole, first.physical(table)), table
    # The spooled tables' rows and deferred updates are in files of their own, per share.
    spooled = [f for v in VIEWS for t in v.spooled() for f in (t, deferred_table(t))]
    assert "score_contribution" in spooled
    for table in spooled:
        expected_lines = lines(tmp_path / "whole.sqlite3", table)
        # The city has contributions and ends of them, permits and penalties (not revoked).
        assert expected_lines or table == deferred_table("profile_permit"), table
        assert sorted(lines(tmp_path / "share0.sqlite3", table)
                      + lines(tmp_path / "share1.sqlite3", table)) == expected_lines, table


def lines(stage_path: Path, table: str) -> list[str]:
    path = Path(spool_path(str(stage_path), table))
    return sorted(path.read_text().split("\n")[:-1]) if path.exists() else []


def test_a_stream_in_two_shares_fails_the_merge(tmp_path: Path) -> None:
    envelopes = city()
    first, conn, _ = stage(tmp_path / "share0.sqlite3", envelopes[:40])
    stage(tmp_path / "share1.sqlite3", envelopes[30:])[1].close()  # streams read by both
    with pytest.raises(RuntimeError, match="read by two rebuild shares"):
        shards.merge(first, conn, [str(tmp_path / "share1.sqlite3")], VIEWS, LANE)


def test_merge_upserts_read_the_other_stage() -> None:
    upsert = "INSERT INTO t AS cur VALUES (?, ?,?) ON CONFLICT (k) DO UPDATE SET n = cur.n + 1"
    assert shards.from_stage(upsert, "s.t") == (
        "INSERT INTO t AS cur SELECT * FROM s.t WHERE true ON CONFLICT (k) DO UPDATE "
        "SET n = cur.n + 1")
    with pytest.raises(ValueError, match="VALUES"):
        shards.from_stage("INSERT INTO t VALUES (?, 'x') ON CONFLICT DO NOTHING", "s.t")


def test_offsets_of_a_partition_read_by_several_shares_are_the_lowest() -> None:
    assert shards.combine([({0: 90, 1: 7}, 5), ({0: 80, 2: 4}, 6)]) == ({0: 80, 1: 7, 2: 4}, 11)


def test_stage_directories_of_dead_rebuilds_are_swept(tmp_path: Path) -> None:
    ended = subprocess.Popen(["true"])  # a process that has ended: its pid is free
    ended.wait()
    dead = tmp_path / f"{STAGE_PREFIX}{ended.pid}-abc"
    mine = tmp_path / f"{STAGE_PREFIX}{os.getpid()}-def"
    other = tmp_path / "something-else"
    for path in (dead, mine, other):
        path.mkdir()
        (path / "share0.sqlite3").write_bytes(b"x")
    assert sweep_stale_stages(str(tmp_path)) == [dead]
    assert not dead.exists() and mine.exists() and other.exists()


def test_a_stage_whose_batch_failed_is_never_committed(tmp_path: Path) -> None:
    """A stage's batches share one transaction: after a failed batch, whose rows are half
    in, finishing the stage refuses instead of committing them."""
    path = str(tmp_path / "stage.sqlite3")
    stage, conn = open_stage(path, "x")
    names = create_stage(stage, conn, VIEWS, LANE)
    with pytest.raises(ValueError), stage.transaction(conn, names) as tx:
        tx.execute(f"INSERT INTO {names['score_subject']} VALUES ('S', 'enterprise', "
                   "'enterprise', '2021-01-04')")
        raise ValueError("the batch fails half way")
    with pytest.raises(RuntimeError, match="not committed"):
        write_held(stage, conn, names)
    conn.close()
    stage_conn = sqlite3.connect(path)
    assert stage_conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    stage_conn.close()
