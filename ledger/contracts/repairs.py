"""Repair officers' commands: the bodies of each step of a repair case."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ledger.contracts.fields import SUBJECT_CODE_PATTERN, In, IsoDate, Short, Text, pattern


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
