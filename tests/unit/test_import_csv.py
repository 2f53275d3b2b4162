"""Reading double-publicity CSV files: encodings, Chinese headers, and what a row becomes."""

from __future__ import annotations

import re

import pytest

from ledger.importing.csv_layout import CsvLayout, HeaderError, detect_encoding
from ledger.importing.rows import RowError

PENALTY = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号", "处罚依据",
           "处罚类别", "罚款金额（万元）", "处罚决定日期", "公示日期", "严重程度", "领域"]


def test_utf8_with_or_without_bom_and_gb18030_are_told_apart() -> None:
    text = "行政相对人名称,统一社会信用代码\n盘锦鑫达石化有限公司,91211103MA0QWERT20\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    # A sample that ends inside a multi-byte character is still UTF-8.
    assert detect_encoding(text.encode("utf-8")[:-2] + "盘".encode()[:2]) == "utf-8"


def test_a_chinese_penalty_row_becomes_a_penalty_record_in_ledger_units() -> None:
    layout = CsvLayout(PENALTY)
    assert layout.record == "penalty"
    record = layout.record_of(["盘锦鑫达石化有限公司", "法人及非法人组织", "91211103MA0QWERT20",
                               "盘市监罚〔2026〕9001号", "《价格法》第39条", "罚款", "5.5",
                               "2026年5月6日", "2026/5/8", "一般", "price"])
    assert record == {
        "record": "penalty", "party_name": "盘锦鑫达石化有限公司", "party_kind": "enterprise",
        "subject": "91211103MA0QWERT20", "decision_no": "盘市监罚〔2026〕9001号",
        "basis": "《价格法》第39条", "category": "罚款", "fine_amount": "55000.0",
        "decided_on": "2026-05-06", "published_on": "2026-05-08", "severity": "general",
        "domain": "price"}


def test_english_permit_headers_and_empty_cells() -> None:
    layout = CsvLayout(["party_code", "decision_no", "category", "decided_on", "published_on",
                        "certificate_no", "当前状态"])
    assert layout.record == "permit"
    record = layout.record_of(["91211103MA0QWERT20", "许-1", "普通", "2026-05-06",
                               "2026-05-07", "", "有效"])
    assert "certificate_no" not in record and "status" not in record


@pytest.mark.parametrize(("header", "complaint"), [
    (["party_code", "favourite_colour"], "unknown column(s) 'favourite_colour'"),
    ([*PENALTY, "有效期自"], "mixes penalty and permit columns"),
    (PENALTY[:-1], "lacks required column(s) ['domain']"),
    (["party_name"], "lacks required column(s)"),
])
def test_a_header_that_cannot_be_read_refuses_the_file(header: list[str], complaint: str
                                                       ) -> None:
    with pytest.raises(HeaderError, match=re.escape(complaint)):
        CsvLayout(header)


def test_a_row_with_another_number_of_cells_is_rejected() -> None:
    with pytest.raises(RowError) as e:
        CsvLayout(PENALTY).record_of(["only", "three", "cells"])
    assert e.value.problems == [("record", "expected 11 columns as in the header, got 3")]
