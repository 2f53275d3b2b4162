"""What the government-integrity endpoints answer: receipts, and civil servants' files (read
by the personnel and audit roles only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from api.schemas import WriteReceipt
from ledger.contracts.fields import RecordId, SubjectCode


class GovernmentDefaultReceipt(WriteReceipt):
    default_id: RecordId
    in_time: bool | None = Field(None, description="a rectification: on or before the deadline")


class CreditReportReceipt(WriteReceipt):
    agency: str
    report_no: str


class CivilServantReceipt(WriteReceipt):
    """`subject` and `id` are the civil servant's pseudonym; nothing else identifies them."""

    id: SubjectCode
    masked: str | None = None
    record_id: RecordId | None = None


class CivilServantRecordOut(BaseModel):
    record_id: str
    kind: str
    kind_label: str
    on: date
    basis: str
    authority: str = Field(description="the body that decided it")
    document_no: str | None = None
    content: str | None = None
    recorded_by: str = Field(description="the department that recorded it")


class Penetration(BaseModel):
    """穿透: what the ledger holds against the same person, as of the file's day."""

    flagged: bool = Field(description="listed themselves, or principal of an organisation "
                                      "on a black or key-attention list")
    listings: list[dict[str, Any]] = Field(description="the person's own dishonesty listings")
    dishonest_organisations: list[dict[str, Any]] = Field(
        description="organisations they lead that are black- or key-attention-listed")
    led_organisations: list[dict[str, Any]]


class CivilServantFileOut(BaseModel):
    id: SubjectCode
    name: str | None = Field(description="null when the kept name does not match the digest "
                                         "the chain holds")
    masked: str | None
    organisation: str
    organisation_name: str | None
    post: str
    registered_on: date
    as_of: date
    records: list[CivilServantRecordOut]
    penetration: Penetration


class CivilServantSummary(BaseModel):
    id: SubjectCode
    name: str | None
    organisation: str
    post: str
    registered_on: date
    records: dict[str, int] = Field(description="entries per kind")


class CivilServantsPage(BaseModel):
    items: list[CivilServantSummary]
    page: int
    page_size: int
    total: int
