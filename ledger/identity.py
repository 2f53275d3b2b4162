"""Turning what a caller sends into a subject code: USCC, or a person's pseudonym."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.resident_id import (
    PERSONAL_CODE,
    id_shaped,
    is_resident_id,
    mask,
    pseudonym,
    validate_resident_id,
)
from ledger.domain.uscc import CodeError, validate_uscc
from ledger.domain.vocabulary import PERSON_KINDS, SubjectKind

PSEUDONYM_PREFIX = "p-"


@dataclass(frozen=True)
class Identity:
    code: str
    masked: str | None
    code_check_failed: bool = False


def identify(raw: str, kind: str, key: bytes, *, allow_invalid_code: bool = False) -> Identity:
    """The subject code for a registration: a validated USCC, or an HMAC pseudonym for persons."""
    if SubjectKind(kind) in PERSON_KINDS:
        number = validate_resident_id(raw)
        return Identity(pseudonym(number, key), mask(number))
    if is_resident_id(raw):  # before the USCC checks, which about 0.3 % of ID numbers pass
        raise CodeError(PERSONAL_CODE, "resident_id_as_code")
    try:
        return Identity(validate_uscc(raw), None)
    except CodeError as e:
        # Early pilot codes fail the check yet are genuine: recorded only on explicit override.
        # Not one that reads as a person's number with a mistyped check character, though.
        if allow_invalid_code and e.rule in ("check_character", "org_code_check"):
            if id_shaped(raw):
                raise CodeError(PERSONAL_CODE, "resident_id_as_code") from None
            return Identity(raw.strip().upper(), None, code_check_failed=True)
        raise


def principal_code(raw: str, key: bytes) -> tuple[str, str | None]:
    """A principal given by resident ID becomes its pseudonym; a USCC or pseudonym stays."""
    raw = raw.strip()
    if raw.startswith(PSEUDONYM_PREFIX):
        return raw, None
    if len(raw) == 18 and raw[:17].isdigit():
        try:
            number = validate_resident_id(raw)
            return pseudonym(number, key), mask(number)
        except CodeError as person:
            try:
                return validate_uscc(raw), None  # a USCC made of digits, perhaps
            except CodeError:
                if raw[17] in "0123456789Xx":
                    # Shaped as a person's number: report the ID rule, never a USCC message
                    # quoting its digits.
                    raise person from None
                raise
    return validate_uscc(raw), None


def path_code(raw: str) -> str:
    """A code as addressed in a URL: a pseudonym, or an upper-cased USCC."""
    raw = raw.strip()
    return raw if raw.startswith(PSEUDONYM_PREFIX) else raw.upper()
