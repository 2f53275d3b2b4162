"""Government integrity commands (issue 20): civil servants' files, government defaults and
third-party credit reports. The same bodies over HTTP and in bulk files."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from ledger.contracts.fields import (
    USCC_PATTERN,
    Amount,
    Code,
    In,
    IsoDate,
    Short,
    Text,
    not_before,
    pattern,
)
from ledger.domain.vocabulary import CivilServantRecordKind, GovernmentDefaultKind

RESIDENT_ID_PATTERN = "^[0-9]{17}[0-9Xx]$"


class CivilServantIn(In):
    id_number: Annotated[Code, pattern(RESIDENT_ID_PATTERN)] = Field(
        description="the resident ID number: kept as its pseudonym, never stored or echoed")
    name: Short = Field(description="kept beside the ledger, readable by personnel and "
                                    "auditors only; no event carries it")
    organisation: Annotated[Code, pattern(USCC_PATTERN)] = Field(
        description="USCC of the government body or public institution they serve in")
    post: Short
    registered_on: IsoDate | None = Field(None, description="default: today")


class CivilServantRecordIn(In):
    kind: CivilServantRecordKind
    on: IsoDate
    basis: Text
    authority: Short = Field(description="the body that decided it (e.g. the discipline "
                                         "inspection commission)")
    document_no: Short | None = None
    content: Text | None = None


class GovernmentDefaultIn(In):
    kind: GovernmentDefaultKind
    creditor: Short = Field(description="whom the body owes: an enterprise's name or USCC")
    amount: Amount | None = None
    recorded_on: IsoDate
    deadline: IsoDate = Field(description="the day by which it is to be rectified")
    basis: Text

    _deadline = field_validator("deadline")(not_before("recorded_on"))


class RectificationIn(In):
    rectified_on: IsoDate
    evidence: Text


class CreditReportIn(In):
    agency: Short = Field(description="the credit service agency that issued the report")
    report_no: Short
    issued_on: IsoDate
    conclusion: Text
