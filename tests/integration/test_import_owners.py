"""The bulk importer keeps the API's ownership rule: a file of one authority never settles
another's commitment (docs/adr/014). And its report never quotes a person's ID number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.domain.uscc import make_uscc
from ledger.importing.importer import import_file
from ledger.importing.report import ImportReport
from ledger.settings import Settings

KEY = b"import-owners-test-key"
MARKET = make_uscc("1", "1", "211100", "00000770")
TAX = make_uscc("1", "1", "211100", "00001312")
ACME = "91110000600037341L"
NUMBER = "110101199003012209"


@pytest.fixture
def ledger(database_url: str, unique_name: str) -> Iterator[CreditLedger]:
    ledger = build_ledger(Settings(database_url=database_url, app_name=unique_name))
    yield ledger
    ledger.close()


def run(ledger: CreditLedger, path: Path, authority: str, records: list[dict[str, Any]]
        ) -> ImportReport:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return import_file(ledger, path, key=KEY, authority=authority)


def outcome(outcome: str, **ref: str) -> dict[str, Any]:
    return {"record": "commitment_outcome", "subject": ACME, "outcome": outcome,
            "on": "2026-07-01"} | ref


def test_another_authoritys_file_cannot_settle_a_commitment(ledger: CreditLedger,
                                                            tmp_path: Path) -> None:
    # The market department registers ACME and records its commitment.
    assert run(ledger, tmp_path / "market.ndjson", MARKET, [
        {"record": "subject", "code": ACME, "name": "盘锦某某有限公司", "kind": "enterprise"},
        {"record": "commitment", "subject": ACME, "type": "voluntary", "made_on": "2026-06-01",
         "content": "诚信经营", "commitment_no": "盘诺1号"},
    ]).rejected == []
    head = ledger.head_position()
    # The tax bureau's file says it was broken: refused, naming the owner.
    report = run(ledger, tmp_path / "tax.ndjson", TAX, [outcome("breached",
                                                                commitment_no="盘诺1号")])
    [rejected] = report.rejected
    assert MARKET in rejected.reason and "only that authority" in rejected.reason
    assert ledger.head_position() == head
    # The market department's own file records it; the tax file, run again, still cannot.
    assert run(ledger, tmp_path / "kept.ndjson", MARKET,
               [outcome("fulfilled", commitment_no="盘诺1号")]).rejected == []
    assert len(run(ledger, tmp_path / "tax.ndjson", TAX,
                   [outcome("fulfilled", commitment_no="盘诺1号")]).rejected) == 1
    assert ledger.subject(ACME).commitments and [
        c["status"] for c in ledger.subject(ACME).commitments.values()] == ["fulfilled"]


def test_a_rejection_never_quotes_an_id_number(ledger: CreditLedger, tmp_path: Path) -> None:
    report = run(ledger, tmp_path / "city.ndjson", MARKET, [
        {"record": "subject", "code": ACME, "name": "盘锦某某有限公司", "kind": "enterprise"},
        outcome("breached", commitment_id=NUMBER),  # a number typed into the wrong column
    ])
    [rejected] = report.rejected
    assert rejected.field == "commitment_id" and NUMBER[3:17] not in rejected.reason
