"""The double-publicity CSV (双公示): headers in English or Chinese, rows as import records."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.importing.rows import RowError

# Column name (English as in docs/import.md, or the Chinese of the national templates) ->
# record field. Fields starting with "-" are read but not recorded.
ALIASES: dict[str, str] = {
    "party_name": "party_name", "行政相对人名称": "party_name",
    "party_kind": "party_kind", "行政相对人类别": "party_kind",
    "party_code": "subject", "统一社会信用代码": "subject",
    "行政相对人代码_1(统一社会信用代码)": "subject", "party_id_number": "subject",
    "证件号码": "subject", "id_type": "-id_type", "证件类型": "-id_type",
    "legal_representative": "legal_representative", "法定代表人": "legal_representative",
    "decision_no": "decision_no", "行政处罚决定书文号": "decision_no",
    "行政许可决定文书号": "decision_no", "decided_on": "decided_on",
    "处罚决定日期": "decided_on", "许可决定日期": "decided_on",
    "published_on": "published_on", "公示日期": "published_on",
    "category": "category", "处罚类别": "category", "许可类别": "category",
    "authority": "authority", "处罚机关统一社会信用代码": "authority",
    "许可机关统一社会信用代码": "authority", "authority_name": "-authority_name",
    "处罚机关": "-authority_name", "许可机关": "-authority_name",
    "data_source_unit": "data_source_unit", "数据来源单位": "data_source_unit",
    "data_source_unit_code": "-data_source_unit_code",
    "数据来源单位统一社会信用代码": "-data_source_unit_code",
    "remarks": "-remarks", "备注": "-remarks",
    # penalties
    "severity": "severity", "严重程度": "severity", "domain": "domain", "领域": "domain",
    "special": "special", "violation_type": "violation_type", "违法行为类型": "violation_type",
    "facts": "facts", "违法事实": "facts", "basis": "basis", "处罚依据": "basis",
    "penalty_content": "penalty_content", "处罚内容": "penalty_content",
    "fine_amount": "fine_amount", "罚款金额": "fine_amount", "罚款金额（元）": "fine_amount",
    "罚款金额（万元）": "fine_amount_10k", "confiscation_amount": "confiscation_amount",
    "没收违法所得、没收非法财物的金额（元）": "confiscation_amount",
    "没收违法所得、没收非法财物的金额（万元）": "confiscation_amount_10k",
    "publicity_end_date": "publicity_end_date", "公示截止期": "publicity_end_date",
    # permits
    "document_name": "document_name", "行政许可决定文书名称": "document_name",
    "certificate_name": "certificate_name", "许可证书名称": "certificate_name",
    "certificate_no": "certificate_no", "许可编号": "certificate_no",
    "content": "content", "许可内容": "content", "valid_from": "valid_from",
    "有效期自": "valid_from", "valid_to": "valid_to", "有效期至": "valid_to",
    "status": "-status", "当前状态": "-status",
}
PENALTY_ONLY = {"severity", "domain", "special", "violation_type", "facts", "basis",
                "penalty_content", "fine_amount", "fine_amount_10k", "confiscation_amount",
                "confiscation_amount_10k", "publicity_end_date"}
PERMIT_ONLY = {"document_name", "certificate_name", "certificate_no", "content", "valid_from",
               "valid_to", "-status"}
REQUIRED = {"subject", "decision_no", "decided_on", "published_on", "category"}
REQUIRED_PENALTY = {"severity", "domain", "basis"}
KINDS = {"法人及非法人组织": "enterprise", "法人": "enterprise", "非法人组织": "enterprise",
         "个体工商户": "individual_business", "自然人": "natural_person"}
SEVERITIES = {"轻微": "minor", "一般": "general", "严重": "serious"}
BOOLEANS = {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}
_CN_DATE = re.compile(r"(\d{4})[/年.](\d{1,2})[/月.](\d{1,2})日?")


class HeaderError(ValueError):
    """The header row cannot be read as a permit or penalty file; nothing is imported."""


class CsvLayout:
    """The record each column feeds, and whether the file holds permits or penalties."""

    def __init__(self, header: Sequence[str]) -> None:
        names = [h.strip().lstrip("\ufeff") for h in header]
        unknown = [n for n in names if n not in ALIASES]
        if unknown:
            raise HeaderError(f"unknown column(s) {', '.join(map(repr, unknown))}; "
                              "see docs/import.md for the accepted names")
        self.fields = [ALIASES[n] for n in names]
        present = set(self.fields)
        if present & PENALTY_ONLY and present & PERMIT_ONLY:
            raise HeaderError("the header mixes penalty and permit columns; use two files")
        self.record = "penalty" if present & PENALTY_ONLY else "permit"
        required = REQUIRED | (REQUIRED_PENALTY if self.record == "penalty" else set())
        missing = sorted(required - present)
        if missing:
            raise HeaderError(f"{self.record} file lacks required column(s) {missing}")

    def record_of(self, row: Sequence[str]) -> dict[str, Any]:
        """One CSV row as an import record; values are checked later, like NDJSON records."""
        if len(row) != len(self.fields):
            raise RowError([("record", f"expected {len(self.fields)} columns as in the header, "
                                       f"got {len(row)}")])
        record: dict[str, Any] = {"record": self.record}
        for name, raw in zip(self.fields, row, strict=False):
            value = raw.strip()
            if value and not name.startswith("-"):
                record[name] = value
        return _normalise(record)


def _normalise(record: dict[str, Any]) -> dict[str, Any]:
    for name in ("decided_on", "published_on", "publicity_end_date", "valid_from", "valid_to"):
        if name in record and (m := _CN_DATE.fullmatch(record[name])):
            record[name] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if "party_kind" in record:
        record["party_kind"] = KINDS.get(record["party_kind"], record["party_kind"])
    if "severity" in record:
        record["severity"] = SEVERITIES.get(record["severity"], record["severity"])
    if "special" in record:
        record["special"] = BOOLEANS.get(record["special"].lower(), record["special"])
    for name in ("fine_amount", "confiscation_amount"):
        if (tens := record.pop(f"{name}_10k", None)) is not None:
            record[name] = _ten_thousands(tens)
    return record


def _ten_thousands(value: str) -> str:
    """万元 in the national template; the ledger records yuan."""
    try:
        return str(Decimal(value) * 10_000)
    except InvalidOperation:
        return value  # left for validation to reject with the field's name


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the bytes decode as such, otherwise GB18030."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the end of the sample is not evidence against UTF-8.
        if e.start < len(head) - 3:
            return "gb18030"
    return "utf-8"
