"""Receipts of the provider API: what a write answers (the bodies are ledger.contracts)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from ledger.contracts.fields import RecordId, SubjectCode


class WriteReceipt(BaseModel):
    """Where the recorded event sits: global position, stream and version, type and hash."""

    position: int
    stream: str
    version: int
    type: str
    hash: str
    subject: SubjectCode


class SubjectReceipt(WriteReceipt):
    masked: str | None = None
    code_check_failed: bool = False


class PrincipalReceipt(WriteReceipt):
    principal: SubjectCode
    masked: str | None = None


class PermitReceipt(WriteReceipt):
    late: bool
    provisional: bool = Field(False, description=(
        "The 7-working-day publication deadline was counted across a year whose official "
        "holiday schedule the calendar lacks (weekends and fixed-date holidays only): `late` "
        "is recorded as judged then, so check it by hand."))


class PenaltyReceipt(PermitReceipt):
    rule_set: str
    publicity_min_until: date
    publicity_max_until: date


class ListingReceipt(WriteReceipt):
    listing_id: RecordId


class CommitmentReceipt(WriteReceipt):
    commitment_id: RecordId
