"""Four eyes in credit repair: the officer who accepted a case does not approve or reject it.

LEDGER_REPAIR_FOUR_EYES (default on) switches the rule; off, one officer may run a case from
filing to decision, as small offices asked. SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger.settings import Settings
from tests.e2e.test_repair_api import TOKENS, Desk, desk_on
from tests.repair_story import ACME

DECIDE = [("approve", {"decided_on": "2026-09-04"}),
          ("reject", {"decided_on": "2026-09-04", "reasons": ["rectification incomplete"]})]


@pytest.fixture
def desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path)


@pytest.fixture
def one_officer_desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path, repair_four_eyes=False)


def accepted_case(desk: Desk) -> str:
    """officer-wang files and accepts a repair of a production fine."""
    city = desk.city
    city.register(ACME)
    fine = city.penalty(ACME, date(2026, 4, 1))
    case = desk.file(fine, "2026-09-01", commitment_id=city.commitment(ACME, date(2026, 8, 28)))
    desk.ok(f"/v1/repairs/{case['id']}/accept", {"accepted_on": "2026-09-03"})
    return str(case["id"])


@pytest.mark.parametrize(("step", "body"), DECIDE)
def test_the_accepting_officer_cannot_decide_another_can(desk: Desk, step: str,
                                                         body: dict[str, object]) -> None:
    case = accepted_case(desk)
    head = desk.city.ledger.head_position()
    refused = desk.call("POST", f"/v1/repairs/{case}/{step}", body)  # officer-wang again
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["status"], problem["rule"]) == (403, "four_eyes")
    assert "four-eyes" in problem["detail"] and "officer-wang" in problem["detail"]
    assert desk.city.ledger.head_position() == head
    decided = desk.ok(f"/v1/repairs/{case}/{step}", body, token="tok-chief")
    assert decided["status"] == ("approved" if step == "approve" else "rejected")
    timeline = desk.get(f"/v1/repairs/{case}")["timeline"]
    assert [e["actor"] for e in timeline][-2:] == ["officer-wang", "officer-zhao"]


@pytest.mark.parametrize(("step", "body"), DECIDE)
def test_with_four_eyes_off_one_officer_decides_what_they_accepted(
    one_officer_desk: Desk, step: str, body: dict[str, object],
) -> None:
    case = accepted_case(one_officer_desk)
    decided = one_officer_desk.ok(f"/v1/repairs/{case}/{step}", body)
    assert decided["status"] == ("approved" if step == "approve" else "rejected")


def test_the_setting_reads_ledger_repair_four_eyes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().repair_four_eyes is True
    monkeypatch.setenv("LEDGER_REPAIR_FOUR_EYES", "false")
    assert Settings().repair_four_eyes is False
