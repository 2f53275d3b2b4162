"""Bulk import stories, the same on the embedded SQLite store and on real PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from api.bootstrap import bootstrap
from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc
from ledger.generator.city import generate
from ledger.generator.demo import load_demo_if_empty
from ledger.importing.importer import DEFAULT_CAP, Importer, ImportReport, import_file
from ledger.importing.parallel import import_parallel
from ledger.importing.source import Source
from ledger.runtime import Runtime
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from tests.calls import decide
from tests.listing_terms import body as listing_body

KEY = b"import-test-key"
MARKET = make_uscc("1", "1", "211100", "00000770")
ACME = make_uscc("9", "1", "211103", "MA0QWERT")
UNKNOWN = make_uscc("9", "1", "211103", "MA0YYYY1")
PERSON_ID = "211103199001011234"

Ledgers = Callable[[str], CreditLedger]


@pytest.fixture
def ledgers(database_url: str, unique_name: str) -> Iterator[Ledgers]:
    opened: list[CreditLedger] = []

    def open_ledger(suffix: str = "") -> CreditLedger:
        # SQLite names its table the same for every app: a second ledger needs its own file.
        url = database_url.replace(".sqlite3", f"{suffix}.sqlite3")
        settings = Settings(database_url=url, app_name=unique_name + suffix)
        opened.append(build_ledger(settings))
        return opened[-1]

    yield open_ledger
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(ledgers: Ledgers) -> CreditLedger:
    return ledgers("")


def write_ndjson(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n"
                              for r in records))
    return path


def run(ledger: CreditLedger, path: Path, **kwargs: Any) -> ImportReport:
    return import_file(ledger, path, key=KEY, authority=MARKET, **kwargs)


def stored(ledger: CreditLedger) -> list[dict[str, Any]]:
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [envelope_from_notification(n) for n in notifications]


def penalty(decision_no: str, **changes: Any) -> dict[str, Any]:
    return {"record": "penalty", "subject": ACME, "decision_no": decision_no,
            "severity": "general", "domain": "price", "decided_on": "2026-05-06",
            "published_on": "2026-05-08", "category": "罚款", "basis": "《价格法》第39条"} | changes


def test_a_generated_city_is_imported_once_and_a_rerun_adds_nothing(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    city = list(generate(150, seed=3))
    path = write_ndjson(tmp_path / "city.ndjson", city)
    report = run(ledger, path)
    assert report.rejected == [] and report.rows == len(city)
    assert report.events == ledger.head_position() >= len(city)
    # A person is stored under a pseudonym with a masked number, never the number itself.
    person = next(r for r in city if r["record"] == "subject" and r["kind"] == "natural_person")
    envelopes = stored(ledger)
    ids = {r["code"] for r in city if r["record"] == "subject" and len(r["code"]) == 18
           and r["kind"] in ("natural_person", "professional")}
    blob = orjson.dumps(envelopes).decode()
    assert not [i for i in ids if i in blob]
    assert person["code"][:3] + "*" * 14 + person["code"][-1] in blob
    # A penalised enterprise carries its penalty.
    enterprises = {r["code"] for r in city if r.get("kind") == "enterprise"}
    first = next(r for r in city if r["record"] == "penalty" and r["subject"] in enterprises)
    subject = ledger.subject(first["subject"])
    assert any(p["data"]["decision_no"] == first["decision_no"]
               for p in subject.penalties.values())

    again = run(ledger, path)
    assert again.rejected == [] and again.events == 0 and again.saves == 0
    assert ledger.head_position() == report.events


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    header = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号",
              "违法行为类型", "处罚依据", "处罚类别", "罚款金额（万元）", "处罚决定日期",
              "公示日期", "处罚机关统一社会信用代码", "严重程度", "领域"]
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_a_gb18030_penalty_csv_registers_parties_and_rejects_a_bad_row(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "处罚.csv", [
        ["盘锦鑫达石化有限公司", "法人及非法人组织", ACME, "盘市监罚〔2026〕9001号", "价格欺诈",
         "《价格法》第39条", "罚款", "5", "2026/5/6", "2026-06-30", "", "一般", "price"],
        ["坏公司", "法人及非法人组织", UNKNOWN, "盘市监罚〔2026〕9002号", "价格欺诈",
         "《价格法》第39条", "罚款", "5", "2026-05-06", "2026-05-01", "", "特别严重", "price"],
        ["李四", "自然人", PERSON_ID, "盘公罚〔2026〕77号", "扰乱秩序", "《治安管理处罚法》第23条",
         "警告", "", "2026-05-06", "2026-05-07", "", "轻微", "public_security"],
    ], "gb18030")
    report = run(ledger, path)
    # The second data row (line 3) names a bad severity and a publication before the decision.
    # The file's own column is named beside the field.
    assert {(r.line, r.field) for r in report.rejected} == {(3, "严重程度 (severity)")}
    assert report.rejected_rows == 1 and report.events == 4
    acme = ledger.subject(ACME)
    assert (acme.name, acme.kind) == ("盘锦鑫达石化有限公司", "enterprise")
    (fine,) = acme.penalties.values()
    # 5 (万元) is recorded as 50,000 yuan; published after 7 working days, so late.
    assert fine["data"]["fine_amount"] == "50000.00" and fine["data"]["late"] is True
    assert not ledger.has_subject(UNKNOWN)
    assert not any(PERSON_ID in orjson.dumps(e).decode() for e in stored(ledger))
    assert run(ledger, path).events == 0


def test_rejected_rows_are_reported_by_line_and_field_and_nothing_of_them_is_stored(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    path = write_ndjson(tmp_path / "mixed.ndjson", [
        {"record": "subject", "code": ACME, "name": "鑫达石化", "kind": "enterprise"},
        penalty("P-1", decided_on="2026-02-30"),
        penalty("P-2", subject=UNKNOWN),
        {"record": "subject", "code": "91350100M000100Y4Z", "name": "x", "kind": "enterprise"},
        penalty("P-3", published_on="2026-05-01"),
        b'{"record": "penalty", ',
        penalty("P-4"),
        penalty("P-4", severity="serious"),
        penalty("P-5", decided_on="2099-01-04", published_on="2099-01-05"),
        {"record": "listing", "subject": ACME, "list": "black", "domain": "price",
         "basis": "严重失信", "notified_on": "2026-05-20", "listed_on": "2026-05-10",
         "expires_on": "2027-05-10"},
    ])
    report = run(ledger, path)
    problems = {(r.line, r.field): r.reason for r in report.rejected}
    assert set(problems) == {(2, "decided_on"), (3, "subject"), (4, "code"),
                             (5, "published_on"), (6, "record"), (8, "decision_no"),
                             (9, "decided_on"), (10, "notified_on")}
    assert "expected '3'" in problems[(4, "code")]  # the check character it should have been
    assert "in the future" in problems[(9, "decided_on")]
    assert "different content" in problems[(8, "decision_no")]
    # Only the registration and penalty P-4 were recorded.
    assert [e["type"] for e in stored(ledger)] == ["SubjectRegistered", "PenaltyImposed"]
    assert not ledger.has_subject(UNKNOWN)


def test_listing_rows_meet_the_listing_rules_and_no_row_removes_a_listing(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    # The same rules as the provider API: notice, a bounded expiry, one listing at a time,
    # and no record type that takes a subject off a list (repair exits go through a case).
    valid = {"record": "listing", "subject": ACME} | listing_body("black", "price", "2025-06-02")
    path = write_ndjson(tmp_path / "listings.ndjson", [
        {"record": "subject", "code": ACME, "name": "鑫达石化", "kind": "enterprise"},
        valid | {"notified_on": "2025-06-02"},
        valid | {"expires_on": None},
        valid | {"expires_on": "2099-12-31"},
        valid,
        valid | {"listed_on": "2025-07-01", "notified_on": "2025-06-20"},
        valid,
        {"record": "removal", "subject": ACME, "delisted_on": "2025-09-01",
         "reason": "repaired"},
    ])
    report = run(ledger, path)
    problems = {(r.line, r.field): r.reason for r in report.rejected}
    assert set(problems) == {(2, "notified_on"), (3, "expires_on"), (4, "expires_on"),
                             (6, "list"), (8, "record")}
    assert "earliest acceptable listed_on for this notice is 2025-06-09" in problems[
        (2, "notified_on")]
    assert "the latest allowed is 2028-06-02" in problems[(4, "expires_on")]
    assert "already on the black list in price" in problems[(6, "list")]
    assert [e["type"] for e in stored(ledger)] == ["SubjectRegistered", "Listed"]


def test_all_or_nothing_stores_nothing_when_one_row_is_bad(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    city = list(generate(60, seed=8))
    bad = dict(next(r for r in city if r["record"] == "permit"), published_on="2001-01-01")
    path = write_ndjson(tmp_path / "city.ndjson", [*city, bad])
    report = run(ledger, path, all_or_nothing=True)
    assert not report.stored and [(r.line, r.field) for r in report.rejected] == [
        (len(city) + 1, "published_on")]
    assert ledger.head_position() == 0
    # Without the bad row the same file goes in whole.
    report = run(ledger, write_ndjson(tmp_path / "fixed.ndjson", city), all_or_nothing=True)
    assert report.stored and report.rejected == [] and ledger.head_position() == report.events


def test_a_save_at_the_per_save_cap_goes_through(ledger: CreditLedger, tmp_path: Path) -> None:
    city = list(generate(720, seed=21))
    assert len(city) > DEFAULT_CAP
    report = run(ledger, write_ndjson(tmp_path / "city.ndjson", city))
    assert report.largest_save == DEFAULT_CAP and report.saves == 2
    assert report.events == ledger.head_position()


def test_small_batches_record_exactly_what_one_big_batch_records(
    ledgers: Ledgers, tmp_path: Path,
) -> None:
    path = write_ndjson(tmp_path / "city.ndjson", list(generate(80, seed=5)))
    big, small = ledgers("a"), ledgers("b")
    Importer(big, key=KEY).run(Source(path))
    # Subjects' rows straddle chunks and saves: the cache carries them from batch to batch.
    report = Importer(small, key=KEY, chunk_rows=7, cap=50).run(Source(path))
    assert report.largest_save <= 50 and report.saves > 5

    assert facts(big) == facts(small)


def facts(ledger: CreditLedger) -> list[tuple[Any, ...]]:
    """What was recorded, whatever the order of saves and the time of recording."""
    return sorted((e["stream"], e["version"], e["type"], orjson.dumps(e["data"]))
                  for e in stored(ledger))


def test_two_processes_record_what_one_records_and_a_rerun_adds_nothing(
    ledgers: Ledgers, database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    path = write_ndjson(tmp_path / "city.ndjson", list(generate(100, seed=9)))
    one = ledgers("one")
    alone = import_file(one, path, key=KEY)
    two = ledgers("two")  # its tables exist before the processes start, as in the CLI
    settings = Settings(database_url=database_url.replace(".sqlite3", "two.sqlite3"),
                        app_name=unique_name + "two", pseudonym_key=KEY.decode())
    shared = import_parallel(settings, path, workers=2)
    assert shared.rejected == [] and shared.rows == alone.rows
    assert shared.events == alone.events == two.head_position()
    assert facts(two) == facts(one)
    assert import_parallel(settings, path, workers=2).events == 0


def test_all_or_nothing_holds_across_processes(
    ledger: CreditLedger, database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    city = list(generate(60, seed=8))
    bad = dict(next(r for r in city if r["record"] == "penalty"), severity="grave")
    path = write_ndjson(tmp_path / "city.ndjson", [*city, bad])
    settings = Settings(database_url=database_url, app_name=unique_name,
                        pseudonym_key=KEY.decode())
    report = import_parallel(settings, path, workers=2, all_or_nothing=True)
    # One process found the bad row; the other decided its share cleanly and saved nothing.
    assert not report.stored and [(r.line, r.field) for r in report.rejected] == [
        (len(city) + 1, "severity")]
    assert ledger.head_position() == 0


def test_a_concurrent_write_during_an_import_is_kept_and_the_import_completes(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    # ACME's rows fall in two chunks; between them a clerk records a permit through the API path.
    records = [{"record": "subject", "code": ACME, "name": "鑫达石化", "kind": "enterprise"},
               penalty("P-1"), penalty("P-2"), penalty("P-3"), penalty("P-4")]
    path = write_ndjson(tmp_path / "acme.ndjson", records)
    clerk_wrote: list[int] = []

    def between_chunks(report: ImportReport) -> None:
        if report.rows == 2 and not clerk_wrote:
            while ledger.head_position() < 2:  # the first chunk is saved
                time.sleep(0.01)
            receipt, _ = decide(ledger, ACME, lambda s: grant(s, ledger))
            clerk_wrote.append(receipt.position)

    report = Importer(ledger, key=KEY, authority=MARKET, chunk_rows=2, cap=2,
                      progress=between_chunks).run(Source(path))
    # The importer's next save conflicted; it started over, and the rows stored already
    # were no-ops the second time round.
    assert clerk_wrote and report.restarts == 1 and report.rejected == []
    acme = ledger.subject(ACME)
    assert len(acme.penalties) == 4 and len(acme.permits) == 1
    assert acme.version == 6 and report.events == 5  # the clerk's permit is not the import's


def grant(s: Subject, ledger: CreditLedger) -> int:
    return s.grant_permit(authority=MARKET, actor="clerk-1", decision_no="许-1", category="普通",
                          decided_on=ledger.clock(), published_on=ledger.clock(), details={},
                          today=ledger.clock(), calendar=ledger.calendar)


def test_the_demo_city_loads_into_an_empty_store_only_and_can_be_turned_off(
    database_url: str, unique_name: str,
) -> None:
    def runtime(suffix: str, **overrides: Any) -> Runtime:
        url = database_url.replace(".sqlite3", f"{suffix}.sqlite3")
        settings = Settings(database_url=url, app_name=unique_name + suffix, demo_subjects=60,
                            **overrides)
        return bootstrap(settings, background=False)

    demo = runtime("")
    try:
        report = load_demo_if_empty(demo)
        assert report is not None and report.rejected == []
        head = demo.ledger.head_position()
        closed = [n for n in demo.ledger.recorder.select_notifications(start=1, limit=head)
                  if n.topic.endswith("JointCaseClosed")]
        # The import's events, then three per joint case (initiated, a measure, closed).
        assert head == report.events + 3 * len(closed) and report.events > 60
        assert closed  # a red or black listing got its joint case, closed with feedback
        assert load_demo_if_empty(demo) is None  # not empty any more: nothing added
        assert demo.ledger.head_position() == head
    finally:
        demo.close()
    off = runtime("off", demo=False)  # LEDGER_DEMO=0
    try:
        assert load_demo_if_empty(off) is None and off.ledger.head_position() == 0
    finally:
        off.close()
