"""Bulk import stories about rows: a generated city imported once (a rerun adds nothing), a GB18030
CSV, and rejected rows reported by line and field with nothing of them stored. The same on the
embedded SQLite store and on real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import orjson

from ledger.application import CreditLedger
from ledger.domain.uscc import make_uscc
from ledger.generator.city import generate
from tests.integration._import_helpers import ACME, penalty, run, stored, write_ndjson
from tests.listing_terms import body as listing_body

UNKNOWN = make_uscc("9", "1", "211103", "MA0YYYY1")
PERSON_ID = "211103199001011234"


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

