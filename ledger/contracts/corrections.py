"""Corrections' commands: revoking or correcting a permit or penalty, renaming, deregistering.

A correction names only what it changes; a field left out (or null) keeps its value. The
fields it may not name (decision_no, published_on, derived ones) are refused as unknown.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool

from ledger.contracts.fields import Amount, In, IsoDate, Short, Text
from ledger.domain.labels import normalise
from ledger.domain.vocabulary import Domain, Severity

# A Chinese label is accepted wherever a code is (严重程度 一般, 领域 流通).
SeverityCode = Annotated[Severity, BeforeValidator(partial(normalise, Severity))]
DomainCode = Annotated[Domain, BeforeValidator(partial(normalise, Domain))]


class RevocationIn(In):
    revoked_on: IsoDate
    reason: Text


class CorrectionIn(In):
    """What every correction says besides the fields it changes."""

    corrected_on: IsoDate = Field(description="when the correction takes effect (business date)")
    reason: Text

    def changes(self) -> dict[str, Any]:
        """The fields it changes, JSON-native (dates ISO, amounts two-decimal strings)."""
        return self.model_dump(mode="json", exclude_none=True,
                               exclude={"corrected_on", "reason"})


class PenaltyCorrectionIn(CorrectionIn):
    severity: SeverityCode | None = None
    domain: DomainCode | None = None
    category: Short | None = None
    basis: Text | None = None
    special: StrictBool | None = None
    decided_on: IsoDate | None = None
    party_name: Short | None = None
    legal_representative: Short | None = None
    violation_type: Short | None = None
    facts: Text | None = None
    penalty_content: Text | None = None
    fine_amount: Amount | None = None
    confiscation_amount: Amount | None = None
    publicity_end_date: IsoDate | None = None
    data_source_unit: Short | None = None


class PermitCorrectionIn(CorrectionIn):
    category: Short | None = None
    decided_on: IsoDate | None = None
    party_name: Short | None = None
    legal_representative: Short | None = None
    document_name: Short | None = None
    certificate_name: Short | None = None
    certificate_no: Short | None = None
    content: Text | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    data_source_unit: Short | None = None


class RenameIn(In):
    name: Short
    changed_on: IsoDate


class DeregistrationIn(In):
    deregistered_on: IsoDate
    reason: Text
