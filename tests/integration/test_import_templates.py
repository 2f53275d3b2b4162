"""National-template files imported as departments export them, on SQLite and PostgreSQL:
what is derived is recorded in the event, a re-run on another day adds nothing, and no ID
number is stored in clear."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.domain.authorities import Authority, AuthorityCatalogue
from ledger.domain.resident_id import pseudonym
from ledger.domain.subject import subject_stream
from ledger.domain.vocabulary import Domain
from ledger.importing.importer import import_file
from ledger.importing.source import SourceError
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from tests.repair_story import Clock  # the ledger's today, moved by the test

KEY = b"template-test-key"
FILES = Path(__file__).parents[1] / "data" / "templates"
MARKET, ENVIRONMENT = "11211100012345671L", "112111000370370184"
APPROVAL = "11211100209876396G"
DELONG, HUAYOU = "91211103MA0TPL015B", "91211102MA0TPL023P"
ID_NUMBERS = ("211103198503122036", "211102197809051516", "211122199201174627",
              "211103197002283312")


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 12, 7))


@pytest.fixture
def ledger(database_url: str, unique_name: str, clock: Clock) -> Iterator[CreditLedger]:
    opened = build_ledger(Settings(database_url=database_url, app_name=unique_name),
                          clock=clock)
    yield opened
    opened.close()


def events(ledger: CreditLedger) -> list[dict[str, Any]]:
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [envelope_from_notification(n) for n in notifications]


def penalty(ledger: CreditLedger, code: str, number: str) -> dict[str, Any]:
    subject = ledger.repository.get(subject_stream(code))
    return dict(subject.penalty(MARKET, number)["data"])


def run(ledger: CreditLedger, name: str, authority: str, **kw: Any) -> Any:
    return import_file(ledger, FILES / name, key=KEY, authority=authority, **kw)


def test_both_editions_import_unchanged_and_again_on_a_later_day_add_nothing(
    ledger: CreditLedger, clock: Clock,
) -> None:
    # Four departments' exports: each edition, permits and penalties, UTF-8 BOM and GB18030.
    reports = [run(ledger, "penalties-2021-utf8-bom.csv", MARKET),
               run(ledger, "permits-2021-gb18030.csv", APPROVAL),
               run(ledger, "penalties-earlier-gb18030.csv", ENVIRONMENT),
               run(ledger, "permits-earlier-utf8-bom.csv", MARKET)]
    assert [(r.rows, r.rejected) for r in reports] == [(5, []), (3, []), (2, []), (2, [])]
    stored = len(events(ledger))

    # No 公示日期: published the day of the import, and that is what the event says and why.
    fine = penalty(ledger, DELONG, "盘市监罚〔2026〕101号")
    assert (fine["published_on"], fine["late"], fine["severity"], fine["domain"]) == (
        "2026-12-07", True, "general", "circulation")
    assert fine["derived"] == {"party_kind": "uscc:91", "domain": f"authority:{MARKET}",
                               "severity": "category:罚款", "published_on": "import_day"}
    assert (fine["fine_amount"], fine["template"], fine["organisation_code"]) == (
        "5000.00", "2021", "MA0TPL01-5")
    assert fine["legal_representative_id_pseudonym"] == pseudonym(ID_NUMBERS[0], KEY)
    revoked = penalty(ledger, HUAYOU, "盘市监罚〔2026〕95号")
    assert (revoked["severity"], revoked["derived"]["severity"]) == ("serious", "category:吊销")

    # The next day the same files are run again: the same records, nothing new, no conflict.
    clock.today = date(2026, 12, 8)
    again = [run(ledger, "penalties-2021-utf8-bom.csv", MARKET),
             run(ledger, "permits-2021-gb18030.csv", APPROVAL),
             run(ledger, "penalties-earlier-gb18030.csv", ENVIRONMENT),
             run(ledger, "permits-earlier-utf8-bom.csv", MARKET)]
    assert [(r.events, r.rejected) for r in again] == [(0, [])] * 4
    assert len(events(ledger)) == stored


def test_no_id_number_is_stored_in_clear(ledger: CreditLedger) -> None:
    run(ledger, "penalties-2021-utf8-bom.csv", MARKET)
    run(ledger, "penalties-earlier-gb18030.csv", ENVIRONMENT)
    run(ledger, "permits-2021-gb18030.csv", APPROVAL)
    stored = orjson.dumps(events(ledger)).decode()
    assert not [n for n in ID_NUMBERS if n in stored]
    # The persons are subjects under their pseudonyms, the same the API would give them.
    person = ledger.repository.get(subject_stream(pseudonym(ID_NUMBERS[2], KEY)))
    assert (person.kind, person.name, person.masked) == ("natural_person", "张敏",
                                                         "211**************7")


def test_the_catalogue_and_the_command_line_choose_the_domain(ledger: CreditLedger) -> None:
    # The city's own catalogue says the market regulator's penalties are in `price` ...
    city = AuthorityCatalogue([Authority(MARKET, "盘锦市市场监督管理局", "市场监管局",
                                         Domain.PRICE, "211100")])
    run(ledger, "penalties-2021-utf8-bom.csv", MARKET, authorities=city)
    assert penalty(ledger, DELONG, "盘市监罚〔2026〕101号")["domain"] == "price"
    # ... and --domain (a label will do) wins over the catalogue for the earlier file.
    run(ledger, "penalties-earlier-gb18030.csv", ENVIRONMENT, domain="生产", authorities=city)
    data = ledger.repository.get(subject_stream("91211122MA0TPL031H")) \
        .penalty(ENVIRONMENT, "盘环罚〔2026〕33号")["data"]
    assert (data["domain"], data["derived"]["domain"]) == ("production", "--domain")
    with pytest.raises(SourceError, match=r"domain: '天气' is not one of: .*price \(价格\)"):
        run(ledger, "penalties-2021-utf8-bom.csv", MARKET, domain="天气")


def test_ndjson_records_take_chinese_labels_too(ledger: CreditLedger, tmp_path: Path) -> None:
    records = tmp_path / "records.ndjson"
    lines = [
        {"record": "subject", "code": DELONG, "name": "盘锦德隆商贸有限公司", "kind": "企业"},
        {"record": "penalty", "subject": DELONG, "decision_no": "罚〔2026〕1号",
         "severity": "一般", "domain": "流通", "decided_on": "2026-11-02",
         "published_on": "2026-11-04", "category": "罚款", "basis": "《价格法》"},
        {"record": "commitment", "subject": DELONG, "type": "主动公示型",
         "made_on": "2026-11-05", "content": "诚信经营"},
        {"record": "penalty", "subject": DELONG, "decision_no": "罚〔2026〕2号",
         "severity": "一般", "domain": "流通业", "decided_on": "2026-11-02",
         "published_on": "2026-11-04", "category": "罚款", "basis": "《价格法》"},
    ]
    records.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                       encoding="utf-8")
    report = import_file(ledger, records, key=KEY, authority=MARKET)
    assert [(r.line, r.field) for r in report.rejected] == [(4, "domain")]
    assert "'流通业' is not one of:" in report.rejected[0].reason
    data = penalty(ledger, DELONG, "罚〔2026〕1号")
    assert (data["severity"], data["domain"]) == ("general", "circulation")
    assert "derived" not in data  # an NDJSON record says everything itself


def test_a_rejected_row_names_the_column_as_the_file_spells_it(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    export = tmp_path / "penalties.csv"
    export.write_text("\n".join([
        "行政相对人名称,行政相对人代码_1（统一社会信用代码）,行政处罚决定书文号,处罚类别,处罚依据,"
        "罚款金额（万元）,处罚决定日期",
        f"盘锦德隆商贸有限公司,{DELONG},罚〔2026〕1号,罚款,《价格法》,0.5,2026-13-02",
        f"盘锦德隆商贸有限公司,{DELONG},罚〔2026〕2号,罚款,《价格法》,五千,2026-11-02",
        "盘锦德隆商贸有限公司,91211103MA0TPL015X,罚〔2026〕3号,罚款,《价格法》,0.5,2026-11-02",
    ]) + "\n", encoding="gb18030")
    report = run(ledger, str(export), MARKET)  # an absolute path: FILES / it is itself
    assert [(r.line, r.field) for r in report.rejected] == [
        (2, "处罚决定日期 (decided_on)"), (3, "罚款金额（万元） (fine_amount)"),
        (4, "行政相对人代码_1（统一社会信用代码） (subject)")]
    assert "expected 'B'" in report.rejected[2].reason
    assert report.events == 0
