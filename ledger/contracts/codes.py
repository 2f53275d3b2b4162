"""Vocabulary fields that take a code or its Chinese label (领域 流通 → circulation).

Every enum field of a write contract is one of these: the label is turned into its code by
`ledger.domain.labels.normalise` before the enum's own validation, so the API, NDJSON records
and CSV files accept the same words and store the same codes. A word that is neither is
refused naming the codes and their labels. The JSON Schema stays the enum of codes: the
codes are the contract, the labels a courtesy.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from ledger.domain.labels import label, normalise
from ledger.domain.vocabulary import (
    CommitmentType,
    DelistReason,
    Domain,
    ListName,
    PrincipalRole,
    Profession,
    Severity,
    SubjectKind,
)


def code_or_label(enum: type[StrEnum]) -> BeforeValidator:
    """A validator reading a label as its code, refusing an unknown word with the choices."""
    codes = frozenset(m.value for m in enum)
    choices = ", ".join(f"{m.value} ({label(m)})" for m in enum)

    def read(value: Any) -> Any:
        if type(value) is str and value in codes:
            return value  # the common case, a code: no label lookup (it runs on every row)
        value = normalise(enum, value)
        if isinstance(value, str) and value.strip() not in codes:
            raise PydanticCustomError("enum", "'{given}' is not one of: {choices}",
                                      {"given": value, "choices": choices})
        return value.strip() if isinstance(value, str) else value

    return BeforeValidator(read)


KindCode = Annotated[SubjectKind, code_or_label(SubjectKind)]
ListCode = Annotated[ListName, code_or_label(ListName)]
SeverityCode = Annotated[Severity, code_or_label(Severity)]
DomainCode = Annotated[Domain, code_or_label(Domain)]
CommitmentTypeCode = Annotated[CommitmentType, code_or_label(CommitmentType)]
DelistReasonCode = Annotated[DelistReason, code_or_label(DelistReason)]
RoleCode = Annotated[PrincipalRole, code_or_label(PrincipalRole)]
ProfessionCode = Annotated[Profession, code_or_label(Profession)]
