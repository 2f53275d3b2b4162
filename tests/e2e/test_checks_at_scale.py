"""A department checks a big company day after day (docs/adr/036): the check log grows past
its snapshots, yet a matter asked again after them is still answered once, a new matter
counts its measure, the auditor still sees every check in one unbroken chain, and
the store still verifies. SQLite and PostgreSQL alike, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from ledger.check_cases import CHECK_LOG_SNAPSHOT_EVERY
from ledger.domain.credit_check import check_log_stream
from replay.verify import verify
from tests.e2e.test_checks_api import TOKENS, check
from tests.e2e.test_repair_api import Desk, desk_on
from tests.repair_story import ACME, COURT


@pytest.fixture
def desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path)


def history(desk: Desk) -> dict[str, Any]:
    return desk.get(f"/v1/audit/subjects/{ACME}/events", token="tok-auditor")["checks"]


def test_a_long_check_log_keeps_its_matters_its_chain_and_its_history(desk: Desk) -> None:
    # The court black-lists ACME; procurement checks it for a tender (the log's 2nd event).
    desk.city.register(ACME)
    desk.city.listing(ACME, "black", date(2026, 9, 1), domain="judicial")
    tender = check(desk, ACME, "government_procurement", matter_no="ZC-2026-0815")
    assert tender["version"] == 2
    # Then every day for months, without a matter number: past two snapshots of the log.
    daily = [check(desk, ACME, "government_procurement")
             for _ in range(2 * CHECK_LOG_SNAPSHOT_EVERY + 3)]
    assert [d["version"] for d in daily] == list(range(3, 2 * CHECK_LOG_SNAPSHOT_EVERY + 6))
    assert all(d["measures"] == tender["measures"] for d in daily)
    # (The log has been read from a snapshot since version 50; only the latest is kept.)
    ledger = desk.city.ledger
    [latest] = ledger.check_log_snapshots.get(check_log_stream(ACME))
    assert latest.originator_version == 2 * CHECK_LOG_SNAPSHOT_EVERY
    # The tender asked again after the snapshots: the same answer, nothing recorded.
    again = check(desk, ACME, "government_procurement", status=200, matter_no="ZC-2026-0815")
    assert (again["position"], again["version"], again["hash"]) == (
        tender["position"], 2, tender["hash"])
    assert again["measures"] == tender["measures"]
    # A new tender after the snapshots counts its measure as the first one did.
    second = check(desk, ACME, "government_procurement", matter_no="ZC-2026-0901")
    assert second["version"] == 2 * CHECK_LOG_SNAPSHOT_EVERY + 6
    # The auditor reads the whole log: every check, in order, one unbroken chain.
    log = history(desk)
    assert log["stream"] == str(check_log_stream(ACME))
    assert log["chain_ok"] is True
    events = log["events"]
    assert [e["version"] for e in events] == list(range(1, second["version"] + 1))
    assert [e["type"] for e in events[:2]] == ["CheckLogOpened", "CreditChecked"]
    assert all(a["hash"] == b["prev_hash"] for a, b in pairwise(events))
    assert events[-1]["hash"] == second["hash"]
    assert events[-1]["data"]["matter_no"] == "ZC-2026-0901"
    # Each tender counted its measure once: one joint case each, as the indicators read it.
    assert [e["data"]["new_measures"] for e in (events[1], events[-1])] == [1, 1]
    assert all(e["authority"] == "11211100MB0000120X" for e in events)
    assert {e["data"]["measures"][0]["basis"]["authority"] for e in events[1:]} == {COURT}
    # And the auditor's verification of the store finds nothing wrong.
    report = verify(ledger.recorder)
    assert report.ok, report
