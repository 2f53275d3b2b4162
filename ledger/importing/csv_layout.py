"""The double-publicity CSV (双公示): a department's export, read as import records.

The header is read against the template table (ledger.importing.templates, by way of
headers.py); each row becomes a `TemplateRecord`: the API body's fields, the columns the ledger
does not model as `template_details`, the ID numbers to pseudonymise as `personal_ids`, and
what was derived (derive.py) as `derived`. Values are validated later, like NDJSON records.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.resident_id import id_shaped
from ledger.importing.derive import TemplateContext, derive
from ledger.importing.headers import Header, HeaderError
from ledger.importing.rows import RowError, TemplateRecord
from ledger.importing.templates import AMOUNTS, DATES, REQUIRED, REQUIRED_PENALTY
from ledger.privacy import redact

__all__ = ["CsvLayout", "HeaderError", "TemplateContext", "detect_encoding"]

BOOLEANS = {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}
_CN_DATE = re.compile(r"(\d{4})[/年.\-](\d{1,2})[/月.\-](\d{1,2})日?(?:[ T].*)?")
# A number column that holds a person's ID number, alone or with a suffix (a person's tax
# registration number is often the ID number and two digits): kept only as a pseudonym.
_ID_RUN = re.compile(r"^\d{17}[\dXx]")
_FIELD_OF = {"uscc": "subject", "person_id": "subject",
             "category_2": "template_details.category_2"}


class CsvLayout:
    """The record each column feeds, and whether the file holds permits or penalties."""

    def __init__(self, header: Sequence[str], context: TemplateContext | None = None) -> None:
        self.header = Header(header)
        self.context = context or TemplateContext(date.today())
        self.record = self.header.record
        self.columns = self.header.columns
        present = {c.target for c in self.columns}
        required = REQUIRED | (REQUIRED_PENALTY if self.record == "penalty" else set())
        missing = sorted(required - present)
        if not present & {"uscc", "person_id"}:
            missing.insert(0, "行政相对人代码_1(统一社会信用代码) or 证件号码")
        if missing:
            raise HeaderError(f"{self.record} file lacks required column(s) {missing}")
        self.names: dict[str, str] = {}  # field -> the file's own column name, if not ASCII
        for c in self.columns:
            field = _FIELD_OF.get(c.target, c.target.replace("+", "template_details.", 1))
            if not c.header.isascii():  # two columns may name the subject: both are named
                known = self.names.get(field)
                self.names[field] = c.header if known is None else f"{known}/{c.header}"

    def record_of(self, row: Sequence[str]) -> dict[str, Any]:
        """One CSV row as an import record, with what the template lacks derived."""
        if len(row) != len(self.columns):
            raise RowError([("record", f"expected {len(self.columns)} columns as in the "
                                       f"header, got {len(row)}")])
        record: dict[str, Any] = {"record": self.record}
        details: dict[str, str] = {}
        personal: dict[str, str] = {}
        for column, raw in zip(self.columns, row, strict=True):
            value = raw.strip()
            if not value:
                continue
            target = column.target
            if target in AMOUNTS:
                value = _yuan(value, column.unit)
            elif target in DATES:
                value = _iso(value)
            if target.startswith("+") or target == "category_2":
                _detail(details, personal, target.lstrip("+"), value)
            elif target == "representative_id":
                personal.setdefault("legal_representative_id", value)
            else:
                record.setdefault(target, value)
        self._subject(record, personal)
        if "special" in record:
            record["special"] = BOOLEANS.get(record["special"].lower(), record["special"])
        if self.header.edition is not None:
            details["template"] = self.header.edition
        record["template_details"] = details
        derived: dict[str, str] = {}
        derive(record, derived, self.context)
        record["derived"] = derived
        record["personal_ids"] = personal
        read = TemplateRecord(record)
        read.columns = self.names
        return read

    def _subject(self, record: dict[str, Any], personal: dict[str, str]) -> None:
        """The USCC names the subject; without one, the person's ID number does. An ID number
        beside a USCC (an individual business's operator) is kept only as a pseudonym."""
        uscc, person = record.pop("uscc", None), record.pop("person_id", None)
        if uscc is not None:
            record["subject"] = uscc
            if person is not None:
                personal.setdefault("party_id", person)
        elif person is not None:
            record["subject"] = person
        else:
            raise RowError([("subject", "neither 行政相对人代码_1(统一社会信用代码) nor "
                                        "证件号码 is given")])


def _detail(details: dict[str, str], personal: dict[str, str], key: str, value: str) -> None:
    if _ID_RUN.match(value) and id_shaped(value[:18]):
        personal.setdefault(key, value)
    else:
        details.setdefault(key, redact(value))  # an ID number quoted in a remark is masked


def _iso(value: str) -> str:
    if m := _CN_DATE.fullmatch(value):
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    return value


def _yuan(value: str, unit: str | None) -> str:
    """The ledger records yuan; the 2021 template's amounts are in 万元 (10,000 yuan)."""
    text = value.replace(",", "").replace("，", "")
    if unit != "万元":
        return text
    try:
        amount = Decimal(text) * 10_000
    except InvalidOperation:
        return value  # left for validation to reject with the field's name
    return format(amount.quantize(Decimal(1)) if amount == amount.to_integral() else
                  amount.normalize(), "f")


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
