"""History written by an earlier ledger reads the same with today's code (tests/stored_history.py).

The store was written at the branch point of issue 16, before use cases were named and events
typed. Today's code must load every aggregate from it, find every stored hash unchanged (the
envelope is what auditors, Kafka consumers and docs/schema/ rely on), and read the same state,
profiles and scores.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger.application import CreditLedger
from ledger.domain.checkpoint import is_checkpoint
from ledger.store.notifications import envelope_from_notification
from replay.verify import verify
from tests.stored_history import build, ledger_on, snapshot

STORE = Path(__file__).parent.parent / "data" / "store-2026-12-07.sqlite3"


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads(STORE.with_suffix(".json").read_bytes())
    return found


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Any:
    copy = tmp_path_factory.mktemp("stored") / STORE.name  # opening a store may add tables
    shutil.copy(STORE, copy)
    ledger = ledger_on(copy)
    yield ledger
    ledger.close()


@pytest.fixture(scope="module")
def read_now(ledger: CreditLedger) -> dict[str, Any]:
    return snapshot(ledger)


def test_every_stored_event_keeps_its_hash_and_its_place(read_now: dict[str, Any],
                                                         stored: dict[str, Any]) -> None:
    assert read_now["events"] == stored["events"]
    assert len({e["type"] for e in stored["events"]}) >= 24  # every kind the ledger records


def test_every_chain_verifies(ledger: CreditLedger) -> None:
    report = verify(ledger.recorder)
    assert report.ok, report.breaks
    assert report.events == len(list(ledger.recorder.select_notifications(1, 1_000_000)))


def test_every_aggregate_loads_with_the_same_state(read_now: dict[str, Any],
                                                   stored: dict[str, Any]) -> None:
    assert read_now["states"].keys() == stored["states"].keys()
    for stream, state in stored["states"].items():
        assert read_now["states"][stream] == state, stream


# Profile keys added after the store was written, and what its history gives them.
ADDED_SINCE = {"former_names": [], "deregistered": None}  # docs/adr/022


def test_profiles_and_scores_read_the_same(read_now: dict[str, Any],
                                           stored: dict[str, Any]) -> None:
    profiles = {code: found | {"profile": {k: v for k, v in found["profile"].items()
                                           if k not in ADDED_SINCE}}
                for code, found in read_now["profiles"].items()}
    assert profiles == stored["profiles"]
    for found in read_now["profiles"].values():
        assert {k: found["profile"][k] for k in ADDED_SINCE} == ADDED_SINCE


def test_the_same_story_told_today_records_the_same_facts(ledger: CreditLedger,
                                                         tmp_path: Path) -> None:
    # Told again by today's code, the story records every event with the same envelope as
    # the earlier code did, but for when it was recorded (and so the hashes).
    build(tmp_path / "again.sqlite3")
    again = ledger_on(tmp_path / "again.sqlite3")
    try:
        assert facts(again) == facts(ledger)
    finally:
        again.close()


def facts(ledger: CreditLedger) -> list[dict[str, Any]]:
    notes = ledger.recorder.select_notifications(1, 1_000_000)
    timeless = ("recorded_at", "hash", "prev_hash")
    return [{k: v for k, v in e.items() if k not in timeless}
            for e in map(envelope_from_notification, notes) if not is_checkpoint(e)]
