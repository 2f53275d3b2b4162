"""An all-digit USCC that is also a valid resident ID: the subject's declared kind decides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger.application import CreditLedger
from ledger.bootstrap import build_ledger
from ledger.domain.resident_id import pseudonym, validate_resident_id
from ledger.domain.uscc import make_uscc, validate_uscc
from ledger.importer import import_file
from ledger.notifications import envelope_from_notification
from ledger.settings import Settings

KEY = b"digit-codes-test-key"
MARKET = make_uscc("1", "1", "211100", "00000770")
# Passes the GB 32100 checks and the GB 11643 ones (born 1990-01-01, check digit 1).
BOTH = "911103199001012021"
PERMIT = {"record": "permit", "subject": BOTH, "category": "普通", "decided_on": "2026-05-06",
          "published_on": "2026-05-07"}


@pytest.fixture
def ledger(database_url: str, unique_name: str) -> Iterator[CreditLedger]:
    ledger = build_ledger(Settings(database_url=database_url, app_name=unique_name))
    yield ledger
    ledger.close()


def import_records(ledger: CreditLedger, path: Path, records: list[dict[str, Any]]) -> Any:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return import_file(ledger, path, key=KEY, authority=MARKET)


def subjects_of(ledger: CreditLedger) -> list[tuple[str, str]]:
    return [(env["type"], env["subject"]) for env in map(
        envelope_from_notification, ledger.recorder.select_notifications(start=1, limit=100))]


def test_the_code_reads_both_ways() -> None:
    assert validate_uscc(BOTH) == BOTH
    assert validate_resident_id(BOTH) == BOTH


def test_rows_about_an_enterprise_with_such_a_code_are_recorded_on_it(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    report = import_records(ledger, tmp_path / "city.ndjson", [
        {"record": "subject", "code": BOTH, "name": "盘锦数字有限公司", "kind": "enterprise"},
        PERMIT | {"decision_no": "盘市监许〔2026〕1号"},
        {"record": "commitment", "subject": BOTH, "type": "voluntary", "made_on": "2026-05-06",
         "content": "诚信经营"},
    ])
    assert report.rejected == []
    assert subjects_of(ledger) == [("SubjectRegistered", BOTH), ("PermitGranted", BOTH),
                                   ("CommitmentMade", BOTH)]
    # A later file about the same enterprise finds it in the store.
    again = import_records(ledger, tmp_path / "later.ndjson",
                           [PERMIT | {"decision_no": "盘市监许〔2026〕2号"}])
    assert again.rejected == [] and again.events == 1
    assert subjects_of(ledger)[-1] == ("PermitGranted", BOTH)


def test_a_person_with_that_number_stays_a_person(ledger: CreditLedger, tmp_path: Path) -> None:
    report = import_records(ledger, tmp_path / "city.ndjson", [
        {"record": "subject", "code": BOTH, "name": "张三", "kind": "natural_person"},
        PERMIT | {"decision_no": "盘市监许〔2026〕1号"},
    ])
    assert report.rejected == []
    person = pseudonym(BOTH, KEY)
    assert subjects_of(ledger) == [("SubjectRegistered", person), ("PermitGranted", person)]


def test_a_rows_declared_party_kind_decides(ledger: CreditLedger, tmp_path: Path) -> None:
    report = import_records(ledger, tmp_path / "city.ndjson", [
        PERMIT | {"decision_no": "盘市监许〔2026〕1号", "party_name": "盘锦数字有限公司",
                  "party_kind": "enterprise"},
    ])
    assert report.rejected == []
    assert subjects_of(ledger) == [("SubjectRegistered", BOTH), ("PermitGranted", BOTH)]
