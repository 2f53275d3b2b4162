"""Providers' commands: the bodies the API and the importer both validate."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, field_validator

from ledger.contracts.codes import (
    CommitmentTypeCode,
    DelistReasonCode,
    DomainCode,
    KindCode,
    ListCode,
    ProfessionCode,
    RoleCode,
    SeverityCode,
)
from ledger.contracts.fields import (
    SUBJECT_CODE_PATTERN,
    USCC_PATTERN,
    Amount,
    Code,
    In,
    IsoDate,
    PublicityIn,
    Short,
    Text,
    not_before,
    pattern,
)


class SubjectIn(In):
    code: Annotated[Code, pattern(USCC_PATTERN)] = Field(
        description="USCC, or an 18-digit resident ID for persons (never echoed)")
    name: Short
    kind: KindCode
    allow_invalid_code: StrictBool = Field(
        False, description="record a USCC failing its check characters (early pilot codes)")
    profession: ProfessionCode | None = Field(
        None, description="a professional's legal profession (kind professional only)")


class PrincipalIn(In):
    principal: Annotated[Code, pattern(SUBJECT_CODE_PATTERN)] = Field(
        description="the principal's USCC, resident ID or pseudonym")
    role: RoleCode
    name: Short | None = None
    since: IsoDate


class PermitIn(PublicityIn):
    CORE = frozenset({"decision_no", "category", "decided_on", "published_on"})
    decision_no: Short
    category: Short
    decided_on: IsoDate
    published_on: IsoDate
    party_name: Short | None = None
    legal_representative: Short | None = None
    document_name: Short | None = None
    certificate_name: Short | None = None
    certificate_no: Short | None = None
    content: Text | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    data_source_unit: Short | None = None

    _valid_to = field_validator("valid_to")(not_before("valid_from"))


class PenaltyIn(PublicityIn):
    CORE = frozenset({"decision_no", "severity", "domain", "decided_on", "published_on",
                      "category", "basis", "special"})
    decision_no: Short
    severity: SeverityCode
    domain: DomainCode
    decided_on: IsoDate
    published_on: IsoDate
    category: Short
    basis: Text
    special: StrictBool = Field(
        False, description="special equipment, work safety or fire safety (longer minimum)")
    party_name: Short | None = None
    legal_representative: Short | None = None
    violation_type: Short | None = None
    facts: Text | None = None
    penalty_content: Text | None = None
    fine_amount: Amount | None = None
    confiscation_amount: Amount | None = None
    publicity_end_date: IsoDate | None = None
    data_source_unit: Short | None = None

    _publicity_end = field_validator("publicity_end_date")(not_before("decided_on"))


class ListingIn(In):
    list_name: ListCode = Field(alias="list")
    domain: DomainCode
    basis: Text
    notified_on: IsoDate
    listed_on: IsoDate
    expires_on: IsoDate | None = Field(description="required, within the policy's maximum for "
                                       "the list and domain; null only for a red listing "
                                       "where the policy sets no red maximum")
    removal_conditions: Text | None = None


class RemovalIn(In):
    delisted_on: IsoDate
    reason: DelistReasonCode


class CommitmentIn(In):
    commitment_type: CommitmentTypeCode = Field(alias="type")
    made_on: IsoDate
    content: Text
    due_on: IsoDate | None = None
    commitment_no: Short | None = None

    _due_on = field_validator("due_on")(not_before("made_on"))


class CommitmentOutcomeIn(In):
    on: IsoDate
    note: Text | None = None
