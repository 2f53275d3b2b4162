"""Answers of the repair officers' API: cases, their timelines, pages (bodies: ledger.contracts)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from ledger.contracts.fields import RecordId, SubjectCode
from ledger.domain.vocabulary import RepairStatus

# The worklist's status filter: a case's status, or `open` for any case not yet decided.
StatusFilter = RepairStatus | Literal["open"]


class RepairPublic(BaseModel):
    """A case as the worklist shows it; due_on is the next open deadline."""

    id: RecordId
    subject: SubjectCode
    target_kind: str
    target_id: str
    target_authority: str
    domain: str
    list: str | None
    status: str
    applied_on: date
    accepted_on: date | None
    decision_due: date | None
    decided_on: date | None
    notify_due: date | None
    informed_on: date | None
    due_on: date | None
    overdue: bool
    provisional: bool = Field(description=(
        "A deadline was counted across a year whose official holiday schedule the working-day "
        "calendar lacks (weekends and fixed-date statutory holidays only): check it by hand."))


class TimelineEntry(BaseModel):
    version: int
    type: str
    occurred_at: str
    recorded_at: str
    authority: str
    actor: str
    data: dict[str, Any]
    hash: str


class RepairDetail(RepairPublic):
    commitment_id: str | None
    trainings: int
    reports: int
    timeline: list[TimelineEntry]


class StepReceipt(BaseModel):
    position: int
    version: int
    type: str
    hash: str


class RepairWritten(RepairPublic):
    receipt: StepReceipt
    failures: list[dict[str, str]] = []


class RepairsPage(BaseModel):
    items: list[RepairPublic]
    page: int
    page_size: int
    total: int
