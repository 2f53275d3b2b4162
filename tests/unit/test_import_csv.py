"""Reading double-publicity CSV files: encodings, the two national templates' headers as
departments spell them, and what a row becomes (with what was derived, and from what)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.vocabulary import Domain
from ledger.importing.csv_layout import CsvLayout, HeaderError, TemplateContext, detect_encoding
from ledger.importing.headers import normalise
from ledger.importing.rows import RowError, TemplateRecord
from ledger.importing.templates import TEMPLATES

TODAY = date(2026, 12, 7)
MARKET = "11211100012345671L"  # the shipped catalogue's market regulator: default circulation
CONTEXT = TemplateContext(TODAY, None, AuthorityCatalogue.load(), MARKET)
ACME = "91211103MA0TPL015B"
PENALTY = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号", "处罚依据",
           "处罚类别", "罚款金额（万元）", "处罚决定日期", "公示日期", "严重程度", "领域"]


def layout(header: list[str], context: TemplateContext = CONTEXT) -> CsvLayout:
    return CsvLayout(header, context)


def test_utf8_with_or_without_bom_and_gb18030_are_told_apart() -> None:
    text = "行政相对人名称,统一社会信用代码\n盘锦鑫达石化有限公司,91211103MA0QWERT20\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    # A sample that ends inside a multi-byte character is still UTF-8.
    assert detect_encoding(text.encode("utf-8")[:-2] + "盘".encode()[:2]) == "utf-8"


@pytest.mark.parametrize(("edition", "kind"), sorted(TEMPLATES))
def test_every_column_of_both_editions_is_read_as_published(edition: str, kind: str) -> None:
    header = [name for name, _ in TEMPLATES[(edition, kind)]]
    read = layout(header)
    assert (read.record, read.header.edition) == (kind, edition)
    assert [c.target for c in read.columns] == [t for _, t in TEMPLATES[(edition, kind)]]


@pytest.mark.parametrize("spelling", [
    "行政相对人代码_1（统一社会信用代码）", "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码-1 (统一社会信用代码)", " 行政相对人代码1（统一社会信用代码） ",
    "*行政相对人代码＿１（统一社会信用代码）",
])
def test_header_spellings_seen_in_exports_name_the_same_column(spelling: str) -> None:
    assert normalise(spelling)[0] == normalise("行政相对人代码_1(统一社会信用代码)")[0]


def test_a_bare_numbered_code_column_means_what_its_edition_says() -> None:
    earlier = layout(["行政处罚决定书文号", "处罚类别1", "处罚依据", "处罚决定日期",
                      "行政相对人代码_1", "行政相对人代码_2", "行政相对人代码_5"])
    current = layout(["行政处罚决定书文号", "处罚类别", "处罚依据", "处罚决定日期",
                      "行政相对人类别", "行政相对人代码_1", "行政相对人代码_2",
                      "行政相对人代码_5"])
    assert [c.target for c in earlier.columns[4:]] == ["uscc", "+organisation_code", "person_id"]
    assert [c.target for c in current.columns[5:]] == [
        "uscc", "+business_registration_no", "+institution_certificate_no"]


def test_a_trailing_unit_is_read_and_ten_thousand_yuan_becomes_yuan() -> None:
    assert normalise("罚款金额（万元）") == ("罚款金额", "万元")
    assert normalise("罚款金额(元)") == ("罚款金额", "元")
    read = layout(["统一社会信用代码", "行政处罚决定书文号", "处罚依据", "处罚类别", "处罚决定日期",
                   "罚款金额（万元）", "没收违法所得、没收非法财物的金额（元）"])
    record = read.record_of([ACME, "罚1", "依据", "罚款", "2026-11-02", "0.5", "1,200.5"])
    assert (record["fine_amount"], record["confiscation_amount"]) == ("5000", "1200.5")


def test_a_2021_penalty_row_gets_its_kind_domain_severity_and_publication_derived() -> None:
    read = layout([*PENALTY[:-4], "处罚决定日期"])
    record = read.record_of(["盘锦德隆商贸有限公司", "法人及非法人组织", ACME,
                             "盘市监罚〔2026〕101号", "《价格法》第四十二条", "罚款", "0.5",
                             "2026年11月2日"])
    assert isinstance(record, TemplateRecord)
    assert record["party_kind"] == "enterprise" and record["domain"] == "circulation"
    assert (record["severity"], record["published_on"]) == ("general", "2026-12-07")
    assert record["derived"] == {"party_kind": "uscc:91", "domain": f"authority:{MARKET}",
                                 "severity": "category:罚款", "published_on": "import_day"}


def test_columns_that_state_the_value_win_over_derivation() -> None:
    record = layout(PENALTY).record_of([
        "盘锦德隆商贸有限公司", "个体工商户", ACME, "罚2", "依据", "罚款", "500", "2026/11/2",
        "2026/11/4", "一般", "价格"])
    assert (record["party_kind"], record["severity"], record["domain"]) == (
        "个体工商户", "一般", "价格")  # labels: the contract reads them as codes
    assert record["published_on"] == "2026-11-04" and record["derived"] == {}


def test_domain_comes_from_the_command_line_before_the_catalogue() -> None:
    context = TemplateContext(TODAY, Domain.PRICE, AuthorityCatalogue.load(), MARKET)
    record = layout([*PENALTY[2:7], "处罚决定日期"], context).record_of(
        [ACME, "罚3", "依据", "警告", "", "2026-11-02"])
    assert (record["domain"], record["derived"]["domain"]) == ("price", "--domain")
    assert record["severity"] == "minor"


def test_an_authority_with_no_default_domain_is_told_how_to_give_one() -> None:
    nowhere = TemplateContext(TODAY, None, AuthorityCatalogue([]), MARKET)
    advice = r"no 领域 column, no --domain .*\(LEDGER_AUTHORITIES_FILE\)"
    with pytest.raises(RowError, match=advice):
        layout([*PENALTY[2:7], "处罚决定日期"], nowhere).record_of(
            [ACME, "罚4", "依据", "警告", "", "2026-11-02"])


def test_id_numbers_are_set_aside_for_pseudonyms_and_never_kept_as_details() -> None:
    header = [name for name, _ in TEMPLATES[("2021", "penalty")]]
    cells = dict.fromkeys(header, "")
    cells.update({"行政相对人名称": "老李烧烤店", "行政相对人类别": "个体工商户",
                  "行政相对人代码_1(统一社会信用代码)": "92211103MA0TPL04XM",
                  "行政相对人代码_4(税务登记号)": "21110219780905151600",
                  "法定代表人证件号码": "211103198503122036", "证件号码": "211102197809051516",
                  "行政处罚决定书文号": "罚5", "处罚依据": "依据", "处罚类别": "罚款",
                  "处罚决定日期": "2026-11-16", "备注": "经营者211102197809051516已核实"})
    record = layout(header).record_of(list(cells.values()))
    assert record["subject"] == "92211103MA0TPL04XM"
    assert record["personal_ids"] == {"legal_representative_id": "211103198503122036",
                                      "party_id": "211102197809051516",
                                      "tax_registration_no": "21110219780905151600"}
    assert "211102197809051516" not in str(record["template_details"])


def test_a_person_without_a_uscc_is_named_by_the_id_number() -> None:
    header = [name for name, _ in TEMPLATES[("earlier", "penalty")]]
    cells = dict.fromkeys(header, "")
    cells.update({"行政处罚决定书文号": "罚6", "处罚类别1": "警告", "处罚依据": "依据",
                  "行政相对人名称": "陈某某",
                  "行政相对人代码_5(居民身份证号)": "211103197002283312",
                  "处罚决定日期": "2026年11月3日"})
    record = layout(header).record_of(list(cells.values()))
    assert (record["subject"], record["party_kind"]) == ("211103197002283312", "natural_person")
    assert record["derived"]["party_kind"] == "resident_id"
    assert record["template_details"] == {"template": "earlier"}


def test_the_earlier_editions_second_category_counts_for_the_severity() -> None:
    read = layout(["行政处罚决定书文号", "处罚类别1", "处罚类别2", "处罚依据", "行政相对人代码_1",
                   "处罚决定日期"])
    record = read.record_of(["罚7", "罚款", "责令停产停业", "依据", ACME, "2026/10/12"])
    assert (record["category"], record["template_details"]["category_2"]) == ("罚款",
                                                                                "责令停产停业")
    assert (record["severity"], record["derived"]["severity"]) == ("serious",
                                                                   "category:停产停业")


def test_english_permit_headers_and_empty_cells() -> None:
    read = layout(["party_code", "decision_no", "category", "decided_on", "published_on",
                   "certificate_no", "当前状态"])
    assert read.record == "permit" and read.header.edition is None
    record = read.record_of([ACME, "许-1", "普通", "2026-05-06", "2026-05-07", "", "有效"])
    assert "certificate_no" not in record
    assert record["template_details"] == {"status_as_published": "有效"}


@pytest.mark.parametrize(("header", "complaint"), [
    (["party_code", "favourite_colour"], "unknown column(s) 'favourite_colour'"),
    (["行政相对人名称", "处罚类別"], "'处罚类別' (did you mean '处罚类别'?)"),
    (["统一社会信用代码", "处罚决定曰期"], "(did you mean '处罚决定日期'?)"),
    ([*PENALTY, "有效期自"], "mixes penalty and permit columns"),
    (["行政处罚决定书文号", "处罚类别", "处罚决定日期", "处罚依据"],
     "lacks required column(s) ['行政相对人代码_1(统一社会信用代码) or 证件号码']"),
    (PENALTY[:5] + PENALTY[6:], "lacks required column(s) ['category']"),
    (["party_name"], "lacks required column(s)"),
])
def test_a_header_that_cannot_be_read_refuses_the_file(header: list[str], complaint: str
                                                       ) -> None:
    with pytest.raises(HeaderError, match=re.escape(complaint)):
        layout(header)


def test_a_row_with_another_number_of_cells_is_rejected() -> None:
    with pytest.raises(RowError) as e:
        layout(PENALTY).record_of(["only", "three", "cells"])
    assert e.value.problems == [("record", "expected 11 columns as in the header, got 3")]


def test_every_column_of_both_templates_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    documented = {normalise(cell)[0] for line in docs.splitlines() if line.startswith("|")
                  for cell in line.split("|")}
    missing = {name for columns in TEMPLATES.values() for name, _ in columns
               if normalise(name)[0] not in documented}
    assert not missing
