"""An all-digit code that is also a valid resident ID: never a new organisation's code.

About 0.3 % of valid ID numbers also pass the USCC checks; registered as an organisation,
the number would be published as a subject code. The importer refuses that (docs/adr/014)
without quoting the number; a person with the number is registered by pseudonym as ever, and
an organisation recorded under such a code before the rule keeps receiving its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from eventsourcing.utils import get_topic

from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.domain import subject_events as ev
from ledger.domain.resident_id import pseudonym, validate_resident_id
from ledger.domain.subject import Subject, subject_stream
from ledger.domain.uscc import make_uscc, validate_uscc
from ledger.importing.importer import import_file
from ledger.importing.report import ImportReport
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification

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


def import_records(ledger: CreditLedger, path: Path, records: list[dict[str, Any]]
                   ) -> ImportReport:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return import_file(ledger, path, key=KEY, authority=MARKET)


def subjects_of(ledger: CreditLedger) -> list[tuple[str, str]]:
    return [(env["type"], env["subject"]) for env in map(
        envelope_from_notification, ledger.recorder.select_notifications(start=1, limit=100))]


def registered_before_the_rule(ledger: CreditLedger, code: str) -> None:
    """History from before docs/adr/014: an enterprise recorded under such a code."""
    stream = subject_stream(code)
    ledger.record([ev.SubjectRegistered.sealed(
        stream, str(stream), 1, subject=code, authority=MARKET, actor="import",
        occurred_at="2020-01-02", data={"code": code, "name": "盘锦数字有限公司",
                                        "kind": "enterprise"},
        prev_hash="", topic=get_topic(Subject))])


def test_the_code_reads_both_ways() -> None:
    assert validate_uscc(BOTH) == BOTH
    assert validate_resident_id(BOTH) == BOTH


def test_an_organisation_is_never_registered_under_such_a_code(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    # A subject record, and a permit whose row declares its party an enterprise.
    report = import_records(ledger, tmp_path / "city.ndjson", [
        {"record": "subject", "code": BOTH, "name": "盘锦数字有限公司", "kind": "enterprise"},
        {"record": "subject", "code": BOTH, "name": "盘锦数字有限公司", "kind": "enterprise",
         "allow_invalid_code": True},
        PERMIT | {"decision_no": "盘市监许〔2026〕1号", "party_name": "盘锦数字有限公司",
                  "party_kind": "individual_business"},
    ])
    assert [r.line for r in report.rejected] == [1, 2, 3]
    assert all("resident ID number" in r.reason for r in report.rejected)
    assert {r.field for r in report.rejected} == {"code"}
    assert not any(BOTH in r.reason for r in report.rejected)  # never quoted
    assert subjects_of(ledger) == []


def test_a_person_with_that_number_stays_a_person(ledger: CreditLedger, tmp_path: Path) -> None:
    report = import_records(ledger, tmp_path / "city.ndjson", [
        {"record": "subject", "code": BOTH, "name": "张三", "kind": "natural_person"},
        PERMIT | {"decision_no": "盘市监许〔2026〕1号"},
    ])
    assert report.rejected == []
    person = pseudonym(BOTH, KEY)
    assert subjects_of(ledger) == [("SubjectRegistered", person), ("PermitGranted", person)]


def test_an_enterprise_recorded_before_the_rule_keeps_its_rows(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    registered_before_the_rule(ledger, BOTH)
    report = import_records(ledger, tmp_path / "city.ndjson", [
        PERMIT | {"decision_no": "盘市监许〔2026〕1号"},
        {"record": "commitment", "subject": BOTH, "type": "voluntary", "made_on": "2026-05-06",
         "content": "诚信经营"},
        # A subject record with that code is refused all the same: the rule is the code's.
        {"record": "subject", "code": BOTH, "name": "盘锦数字有限公司", "kind": "enterprise"},
    ])
    assert [(r.line, r.field) for r in report.rejected] == [(3, "code")]
    assert subjects_of(ledger) == [("SubjectRegistered", BOTH), ("PermitGranted", BOTH),
                                   ("CommitmentMade", BOTH)]
