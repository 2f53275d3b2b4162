"""A rebuild's load runs its steps on connections of their own, each once all the steps it
waits for are done, the heaviest ready first; any failure fails the load (the embedded
SQLite store stands in for PostgreSQL's connections here)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from projections import stage_load
from projections.stage_load import Step, run_steps
from projections.storage import ViewStore


def store_with_log(tmp_path: Path) -> ViewStore:
    store = ViewStore(f"sqlite:///{tmp_path / 'views.sqlite3'}", "t")
    conn = store.connect()
    conn.execute("CREATE TABLE log (n INTEGER PRIMARY KEY AUTOINCREMENT, step TEXT)")
    conn.close()
    return store


def logged(name: str, weight: int = 1, after: list[Step] | None = None) -> Step:
    return Step(lambda tx: tx.execute("INSERT INTO log (step) VALUES (?)", (name,)), weight,
                after or [])


def log_of(store: ViewStore) -> list[str]:
    conn = store.connect()
    try:
        return [row[0] for row in conn.execute("SELECT step FROM log ORDER BY n")]
    finally:
        conn.close()


def test_steps_run_once_each_after_those_they_wait_for(tmp_path: Path) -> None:
    store = store_with_log(tmp_path)
    copies = [logged(f"copy{n}", weight=n) for n in range(6)]
    keys = logged("keys", 100, copies[:3])
    index = logged("index", 1, [keys, copies[5]])
    run_steps(store, [*copies, keys, index])
    log = log_of(store)
    assert sorted(log) == sorted(["keys", "index"] + [f"copy{n}" for n in range(6)])
    assert all(log.index("keys") > log.index(f"copy{n}") for n in range(3))
    assert log.index("index") > max(log.index("keys"), log.index("copy5"))


def test_the_heaviest_ready_step_goes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            ) -> None:
    monkeypatch.setattr(stage_load, "LOAD_CONNECTIONS", 1)
    store = store_with_log(tmp_path)
    run_steps(store, [logged("light", 1), logged("heavy", 50), logged("middle", 10)])
    assert log_of(store) == ["heavy", "middle", "light"]


def test_a_failing_step_fails_the_load_and_what_waits_for_it_never_runs(tmp_path: Path,
                                                                         ) -> None:
    store = store_with_log(tmp_path)

    def fails(tx: Any) -> None:
        raise RuntimeError("COPY failed: disk full")

    broken = Step(fails, 10)
    with pytest.raises(RuntimeError, match="disk full"):
        run_steps(store, [broken, logged("after it", 1, [broken])])
    assert "after it" not in log_of(store)


def test_a_connection_that_cannot_be_made_fails_the_load(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    store = store_with_log(tmp_path)

    def refused() -> Any:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(store, "connect", refused)
    with pytest.raises(ConnectionRefusedError):
        run_steps(store, [logged("copy")])


def test_no_steps_and_steps_waiting_for_strangers(tmp_path: Path) -> None:
    store = store_with_log(tmp_path)
    run_steps(store, [])
    with pytest.raises(ValueError, match="not to be run"):
        run_steps(store, [logged("index", 1, [logged("elsewhere")])])
    assert not [t for t in threading.enumerate() if t.name.startswith("rebuild-load")]
