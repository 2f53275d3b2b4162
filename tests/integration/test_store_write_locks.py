"""Embedded mode: the store's own tables and the views share one SQLite file, and the views'
runner commits there all the time. A store-side transaction that reads before it writes must
wait its turn for the write lock, never fail with "database is locked" (docs/adr/034)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.settings import Settings
from ledger.store.sidetables import SideTables
from ledger.store.tables import store_tables
from projections.storage import ViewStore, table_prefix
from replay import summary
from replay.report import Report

ROUNDS = 150  # read-then-write transactions under test, each with the runner committing beside


class Runner:
    """The views' runner as the store sees it: its own connection to the file, committing one
    small write transaction after another (BEGIN IMMEDIATE, as projections.storage does)."""

    def __init__(self, url: str, app_name: str) -> None:
        self.store = ViewStore(url, table_prefix(app_name) + "_hammer")
        self.commits = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="views-runner", daemon=True)

    def _run(self) -> None:
        conn = self.store.connect()
        try:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.store.prefix} (n INTEGER)")
            while not self.stop.is_set():
                with self.store.transaction(conn) as tx:
                    tx.execute(f"INSERT INTO {self.store.prefix} (n) VALUES (?)",
                               (self.commits,))
                self.commits += 1
                time.sleep(0.0005)
        except BaseException as e:  # the test asserts the runner never failed either
            self.error = e
        finally:
            conn.close()


@contextmanager
def runner_committing(url: str, app_name: str) -> Iterator[Runner]:
    runner = Runner(url, app_name)
    runner.thread.start()
    while runner.commits < 3 and runner.error is None:  # it is under way
        time.sleep(0.001)
    started = runner.commits
    try:
        yield runner
    finally:
        runner.stop.set()
        runner.thread.join(30)
    assert runner.error is None, runner.error
    assert runner.commits > started, "the runner should have kept committing throughout"


def open_ledger(url: str, app_name: str) -> CreditLedger:
    return build_ledger(Settings(database_url=url, app_name=app_name))


def test_a_side_table_that_reads_then_writes_waits_for_the_views_runner(
        sqlite_url: str, unique_name: str) -> None:
    # A side table keeps a tally by reading it and writing it back, in one transaction,
    # while the views' runner commits to the same file the whole time.
    ledger = open_ledger(sqlite_url, unique_name)
    try:
        side = SideTables(ledger.recorder, {"tally": "name TEXT PRIMARY KEY, n BIGINT NOT NULL"})
        tally = side.t("tally")
        failures: list[str] = []
        with runner_committing(sqlite_url, unique_name):
            for _ in range(ROUNDS):
                try:
                    with side.transaction() as tx:
                        row = tx.fetchone(f"SELECT n FROM {tally} WHERE name = 'a'")
                        time.sleep(0.001)  # the runner commits meanwhile
                        tx.execute(f"INSERT INTO {tally} (name, n) VALUES ('a', ?) ON CONFLICT "
                                   "(name) DO UPDATE SET n = excluded.n",
                                   ((row[0] if row else 0) + 1,))
                except Exception as e:  # counted, to say how many of ROUNDS failed
                    failures.append(f"{type(e).__name__}: {e}")
        # Every transaction got its turn, and none lost another's increment.
        assert failures == [], f"{len(failures)} of {ROUNDS} failed: {failures[:3]}"
        with side.transaction(commit=False) as tx:
            assert tx.fetchone(f"SELECT n FROM {tally} WHERE name = 'a'") == (ROUNDS,)
    finally:
        ledger.close()


def test_side_tables_added_by_an_upgrade_are_made_while_the_views_runner_commits(
        sqlite_url: str, unique_name: str) -> None:
    # Each release adds a table to a set of side tables whose first table exists already (a
    # read), so making the new one (a write) used to come second in the transaction.
    ledger = open_ledger(sqlite_url, unique_name)
    try:
        SideTables(ledger.recorder, {"first": "id TEXT PRIMARY KEY"})
        failures: list[str] = []
        with runner_committing(sqlite_url, unique_name):
            for n in range(ROUNDS):
                try:
                    side = SideTables(ledger.recorder, {"first": "id TEXT PRIMARY KEY",
                                                        f"added_{n}": "id TEXT PRIMARY KEY"})
                    with side.transaction() as tx:
                        tx.execute(f"INSERT INTO {side.t(f'added_{n}')} (id) VALUES ('x')")
                except Exception as e:
                    failures.append(f"{type(e).__name__}: {e}")
        assert failures == [], f"{len(failures)} of {ROUNDS} failed: {failures[:3]}"
    finally:
        ledger.close()


def a_report(n: int) -> Report:
    started = datetime(2026, 12, 7, 15, 0, n % 60, tzinfo=UTC).isoformat()
    return Report(source="store", id=f"r{n:04d}", started_at=started)


def test_verification_reports_are_kept_while_the_views_runner_commits(
        sqlite_url: str, unique_name: str) -> None:
    # An auditor starts verifications (each saved when it starts, and again when done) and
    # reads the latest, while the runner commits beside: none of it answers "database is
    # locked" (POST /v1/audit/verify once answered 500 so).
    ledger = open_ledger(sqlite_url, unique_name)
    try:
        failures: list[str] = []
        with runner_committing(sqlite_url, unique_name):
            for n in range(ROUNDS // 3):
                try:
                    report = a_report(n)
                    summary.save(ledger.recorder, unique_name, report)
                    report.status = "done"
                    summary.save(ledger.recorder, unique_name, report)
                    assert summary.get(ledger.recorder, unique_name, report.id) is not None
                except Exception as e:
                    failures.append(f"{type(e).__name__}: {e}")
        assert failures == [], f"{len(failures)} of {ROUNDS // 3} failed: {failures[:3]}"
        latest = summary.latest(ledger.recorder, unique_name, finished=True)
        assert latest is not None and latest.status == "done"
    finally:
        ledger.close()


def test_an_older_file_gets_its_missing_tables_when_opened_beside_a_busy_runner(
        sqlite_url: str, unique_name: str) -> None:
    # A file written before the verification reports and the expiry index had tables of their
    # own: the ledger opened on it (while the runner commits) makes them, and they work.
    open_ledger(sqlite_url, unique_name).close()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        db.execute(f"DROP TABLE {summary.table_name(unique_name)}")
        db.execute("DROP TABLE stored_expiry_due")
    with runner_committing(sqlite_url, unique_name):
        ledger = open_ledger(sqlite_url, unique_name)
    try:
        report = a_report(1)
        summary.save(ledger.recorder, unique_name, report)
        assert summary.latest(ledger.recorder, unique_name) is not None
        with sqlite3.connect(path) as db:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        assert {summary.table_name(unique_name), "stored_expiry_due"} <= names
    finally:
        ledger.close()


def test_a_second_file_under_the_same_app_name_gets_its_own_tables(
        tmp_path: Path, unique_name: str) -> None:
    # Two stores under one application name in one process (an auditor's copy beside the live
    # file): each keeps its own reports; making the tables once per name would skip the second.
    first = open_ledger(f"sqlite:///{tmp_path / 'live.sqlite3'}", unique_name)
    second = open_ledger(f"sqlite:///{tmp_path / 'copy.sqlite3'}", unique_name)
    try:
        summary.save(first.recorder, unique_name, a_report(1))
        summary.save(second.recorder, unique_name, a_report(2))
        kept = [summary.latest(ledger.recorder, unique_name) for ledger in (first, second)]
        assert [r.id if r else None for r in kept] == ["r0001", "r0002"]
    finally:
        first.close()
        second.close()



@contextmanager
def a_long_view_write(url: str, app_name: str) -> Iterator[None]:
    """The runner in the middle of one long write transaction on the file."""
    store = ViewStore(url, table_prefix(app_name) + "_long")
    conn = store.connect()
    conn.execute(f"CREATE TABLE IF NOT EXISTS {store.prefix} (n INTEGER)")
    try:
        with store.transaction(conn) as tx:
            tx.execute(f"INSERT INTO {store.prefix} (n) VALUES (1)")
            yield
    finally:
        conn.close()


def test_opening_the_store_and_reading_reports_wait_for_no_view_write(
        sqlite_url: str, unique_name: str) -> None:
    # The tables are made once, when the store is first opened; after that, opening it again
    # (a CLI command beside `serve`) and reading the last verification take no write lock,
    # so a long view write on the same file holds neither up.
    ledger = open_ledger(sqlite_url, unique_name)
    summary.save(ledger.recorder, unique_name, a_report(1))
    ledger.close()
    with a_long_view_write(sqlite_url, unique_name):
        started = time.monotonic()
        ledger = open_ledger(sqlite_url, unique_name)
        try:
            kept = summary.latest(ledger.recorder, unique_name)
            assert kept is not None and kept.id == "r0001"
        finally:
            ledger.close()
        # Well under the store's 5 s lock timeout, which a write lock would have waited out.
        assert time.monotonic() - started < 2.0


def tables_in(url: str, names: list[str]) -> set[str]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master")} & set(names)
    with psycopg.connect(url, autocommit=True) as db:
        return {n for n in names
                if db.execute("SELECT to_regclass(%s)", (n,)).fetchone()[0] is not None}


def drop(url: str, names: list[str]) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            for name in names:
                db.execute(f"DROP TABLE {name}")
        return
    with psycopg.connect(url, autocommit=True) as db:
        for name in names:
            db.execute(f"DROP TABLE {name}")


def test_the_stores_own_tables_are_made_when_it_is_opened(
        database_url: str, unique_name: str) -> None:
    # Opening a store makes every table of ours beside the events (side tables, reports) ...
    ledger = open_ledger(database_url, unique_name)
    ours = list(store_tables(ledger.recorder, unique_name))
    ledger.close()
    assert tables_in(database_url, ours) == set(ours)
    # ... and opening a store written before two of them existed makes those two.
    added = [summary.table_name(unique_name), ours[1]]
    drop(database_url, added)
    ledger = open_ledger(database_url, unique_name)
    try:
        assert tables_in(database_url, ours) == set(ours)
        summary.save(ledger.recorder, unique_name, a_report(3))
        assert summary.get(ledger.recorder, unique_name, "r0003") is not None
    finally:
        ledger.close()


def test_a_write_that_cannot_have_the_lock_in_time_fails_as_the_librarys_error(
        sqlite_url: str, unique_name: str) -> None:
    # A view write longer than the store's lock timeout: the side-table write gives up after
    # the timeout with the library's OperationalError (as its own writes would), and the
    # store's connections work again as soon as the lock is free.
    ledger = build_ledger(Settings(database_url=sqlite_url, app_name=unique_name,
                                   lock_timeout_ms=1000))
    try:
        side = SideTables(ledger.recorder, {"tally": "name TEXT PRIMARY KEY, n BIGINT"})
        with a_long_view_write(sqlite_url, unique_name):
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"), side.transaction() as tx:
                tx.execute(f"INSERT INTO {side.t('tally')} (name, n) VALUES ('a', 1)")
            assert 0.9 < time.monotonic() - started < 3
        with side.transaction() as tx:
            tx.execute(f"INSERT INTO {side.t('tally')} (name, n) VALUES ('a', 1)")
        with side.transaction(commit=False) as tx:
            assert tx.fetchall(f"SELECT n FROM {side.t('tally')}") == [(1,)]
    finally:
        ledger.close()
