"""Request and response bodies of the repair officers' API."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas import (
    SUBJECT_CODE_PATTERN,
    IsoDate,
    LongText,
    OneLine,
    RecordId,
    SubjectCode,
    pattern,
)

Short = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
                 OneLine]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5_000, strip_whitespace=True),
                 LongText]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepairIn(In):
    subject: Annotated[Short, pattern(SUBJECT_CODE_PATTERN)] = Field(
        description="USCC, or a person's pseudonym (p-...)")
    target: Short = Field(description="the penalty's decision number, or the listing id")
    target_authority: Short | None = Field(
        None, description="the penalising authority, when a decision number is ambiguous")
    applied_on: IsoDate
    obligations_performed: bool = Field(
        description="the conduct is corrected and every obligation (fines, orders) performed")
    evidence: Text | None = None
    commitment_id: Short | None = Field(
        None, description="the subject's own repair commitment (CommitmentMade, type repair)")
    application_no: Short | None = None


class AcceptIn(In):
    accepted_on: IsoDate


class RefuseIn(In):
    refused_on: IsoDate
    rule: Short = Field(description="the admissibility rule that fails, e.g. minimum_publicity")
    reason: Text


class TrainingIn(In):
    completed_on: IsoDate
    provider: Short
    certificate_no: Short | None = None


class CommitmentLinkIn(In):
    commitment_id: Short


class ReportIn(In):
    issued_on: IsoDate
    agency: Short = Field(description="the third-party credit service agency")
    report_no: Short
    conclusion: Text | None = None


class ApproveIn(In):
    decided_on: IsoDate


class RejectIn(In):
    decided_on: IsoDate
    reasons: list[Text] = Field(min_length=1)


class WithdrawIn(In):
    withdrawn_on: IsoDate
    reason: Text | None = None


class InformIn(In):
    informed_on: IsoDate


class JointCaseIn(In):
    subject: Annotated[Short, pattern(SUBJECT_CODE_PATTERN)] = Field(
        description="USCC, or a person's pseudonym (p-...)")
    listing_id: Short = Field(description="the listing that triggers the joint measures")
    initiated_on: IsoDate


class MeasureIn(In):
    measure: Text = Field(description="the incentive or restriction this department applied")
    applied_on: IsoDate


class ClosureIn(In):
    feedback: Text
    closed_on: IsoDate


class Status(StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


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
