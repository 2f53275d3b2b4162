"""Resident identity numbers (GB 11643): validation, pseudonyms and masking."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from operator import mul

from ledger.domain.errors import RuleViolation
from ledger.domain.uscc import CodeError
from ledger.domain.vocabulary import PERSON_KINDS

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_DIGITS = frozenset("0123456789")
_ASCII_ZERO_TOTAL = ord("0") * sum(WEIGHTS)  # what the weights add up to over code points

# Messages never quote the number: they end up in logs and problem responses.


def resident_id_check_character(first17: str) -> str:
    """Return the position-18 check character for the first 17 digits."""
    if len(first17) != 17 or not _DIGITS.issuperset(first17):
        raise CodeError("resident ID needs 17 digits before the check character", "digits")
    # Σ digit·weight, over the ASCII code points (one C loop) less what '0' contributes.
    total = sum(map(mul, first17.encode(), WEIGHTS)) - _ASCII_ZERO_TOTAL
    return CHECK_CHARACTERS[total % 11]


def validate_resident_id(number: str) -> str:
    """Return the normalised number, or raise CodeError naming the first rule it breaks."""
    number = number.strip().upper()
    if len(number) != 18:
        raise CodeError(f"resident ID must be 18 characters, got {len(number)}", "length")
    # As with USCCs, a bad last character is reported with the one expected.
    if not _DIGITS.issuperset(number[:17]):
        raise CodeError("resident ID must start with 17 digits", "digits")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError(
            "resident ID birth date (positions 7-14) is not a calendar date", "birth_date"
        ) from None
    check = resident_id_check_character(number[:17])
    if number[17] != check:
        raise CodeError(
            f"resident ID check character (position 18) is {number[17]!r}, expected {check!r}",
            "check_character",
            check,
        )
    return number


def id_shaped(text: str) -> bool:
    """17 digits, a digit or X, and a birth date in positions 7-14: a person's number, perhaps
    mistyped (the check character is not required)."""
    text = text.strip()
    if len(text) != 18 or not _DIGITS.issuperset(text[:17]) or text[17] not in "0123456789Xx":
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1800 <= born.year < 2100


def is_resident_id(text: str) -> bool:
    """Is this a valid resident ID number (shape, birth date and check character)?"""
    if len(text) < 18 or not text.lstrip()[:17].isdigit():
        return False  # the common case, a USCC with letters, answered without parsing dates
    try:
        validate_resident_id(text)
    except CodeError:
        return False
    return True


# About 0.3 % of valid ID numbers also pass the USCC checks (and with allow_invalid_code any
# would be recorded): as an organisation's code, the number would be published.
PERSONAL_CODE = ("a resident ID number (GB 11643) cannot be an organisation's code: "
                 "register a person as natural_person or professional, an organisation by "
                 "its USCC")


class PersonalNumberAsCode(RuleViolation):
    """An organisation would be registered under a person's ID number."""

    rule = "resident_id_as_code"


def check_organisation_code(code: str, kind: str) -> None:
    """A subject that is not a person never takes a resident ID number as its public code."""
    if kind not in PERSON_KINDS and is_resident_id(code):
        raise PersonalNumberAsCode(PERSONAL_CODE, field="code")


def make_resident_id(region6: str, birth: date, seq3: str) -> str:
    """Build a valid resident ID from region, birth date and sequence number."""
    first17 = f"{region6}{birth:%Y%m%d}{seq3}"
    return validate_resident_id(first17 + resident_id_check_character(first17))


def pseudonym(number: str, key: bytes) -> str:
    """Return the keyed pseudonym that stands for the number everywhere it is stored."""
    if not key:
        # An empty key would make pseudonyms a plain hash, reversible by enumeration.
        raise ValueError("pseudonym key must not be empty")
    # Normalise so that '...x' and '...X' name the same person.
    digest = hmac.new(key, number.strip().upper().encode(), hashlib.sha256)
    return "p-" + digest.hexdigest()[:32]


def mask(number: str) -> str:
    """Return the display form: first 3 and last character, the rest starred."""
    number = number.strip().upper()
    if len(number) != 18:
        raise CodeError(f"resident ID must be 18 characters, got {len(number)}", "length")
    return number[:3] + "*" * 14 + number[-1]
