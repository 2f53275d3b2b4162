"""Unified Social Credit Code (GB 32100-2015) validation and construction."""

from __future__ import annotations

from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_ALLOWED = frozenset(ALPHABET)
# 3^(i-1) mod 31; 31 is prime and 3 is not a multiple of it, so no weight is zero
# and any single substitution in positions 1-17 changes the check character.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class CodeError(ValueError):
    """An identifier code breaks one named rule of its standard."""

    def __init__(self, message: str, rule: str, expected: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.expected = expected


def _org_value(ch: str) -> int:
    # GB 11714 values every letter A-Z as 10..35, unlike the USCC alphabet.
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


_ORG_VALUE = {ch: _org_value(ch) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_ORG_CHECK = {c: {10: "X", 11: "0"}.get(c, str(c)) for c in range(1, 12)}


def org_code_check_character(body8: str) -> str:
    """Return the GB 11714 check character for an 8-character organisation code body."""
    if len(body8) == 8 and _ORG_VALUE.keys() >= set(body8):  # the usual case, in C loops
        total = sum(map(mul, map(_ORG_VALUE.__getitem__, body8), ORG_WEIGHTS))
    else:
        total = sum(_org_value(ch) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    return _ORG_CHECK[11 - total % 11]


def uscc_check_character(first17: str) -> str:
    """Return the position-18 check character for the first 17 characters of a USCC."""
    if len(first17) != 17:
        raise CodeError(f"expected the first 17 USCC characters, got {len(first17)}", "length")
    if not _ALLOWED.issuperset(first17):
        raise CodeError(f"{first17!r} has characters outside the USCC alphabet", "alphabet")
    total = sum(map(mul, map(_VALUE.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the normalised code, or raise CodeError naming the first rule it breaks."""
    code = code.strip().upper()
    if len(code) != 18:
        raise CodeError(f"USCC must be 18 characters, got {len(code)}", "length")
    # Position 18 is judged only against the computed check character, so that a
    # mistyped check such as 'Z' is reported with the character it should have been.
    if not _ALLOWED.issuperset(code[:17]):
        pos, ch = next((p, c) for p, c in enumerate(code[:17], start=1) if c not in _ALLOWED)
        raise CodeError(
            f"USCC character {ch!r} at position {pos} is not allowed"
            " (I, O, S, V and Z are never used)",
            "alphabet",
        )
    if not code[2:8].isdigit():
        raise CodeError(
            f"USCC region code (positions 3-8) must be digits, got {code[2:8]!r}", "region_digits"
        )
    # Both checks over characters already known to be in the alphabet: no re-validation.
    total = sum(map(mul, map(_ORG_VALUE.__getitem__, code[8:16]), ORG_WEIGHTS))
    org_check = _ORG_CHECK[11 - total % 11]
    if code[16] != org_check:
        raise CodeError(
            f"USCC organisation-code check (position 17) is {code[16]!r}, expected {org_check!r}",
            "org_code_check",
            org_check,
        )
    check = ALPHABET[-sum(map(mul, map(_VALUE.__getitem__, code[:17]), WEIGHTS)) % 31]
    if code[17] != check:
        raise CodeError(
            f"USCC check character (position 18) is {code[17]!r}, expected {check!r}",
            "check_character",
            check,
        )
    return code


def make_uscc(authority: str, org_type: str, region: str, org_body8: str) -> str:
    """Build a valid USCC from its parts, computing both check characters."""
    body = org_body8.upper()
    first17 = (authority + org_type + region).upper() + body + org_code_check_character(body)
    return validate_uscc(first17 + uscc_check_character(first17))


# Registration authority and category characters (positions 1-2, GB 32100-2015 Table 1) →
# subject kind: what a department's file that has no 行政相对人类别 column is read as.
_KIND_BY_CATEGORY = {
    "11": "government_body", "12": "public_institution", "13": "social_organisation",
    "31": "law_firm", "32": "notary_office", "33": "legal_service_office",
    "34": "forensic_institution", "51": "social_organisation", "52": "social_organisation",
    "53": "social_organisation", "59": "social_organisation", "91": "enterprise",
    "92": "individual_business", "93": "farmer_cooperative",
}


def kind_of_uscc(code: str) -> str | None:
    """The subject kind (a SubjectKind code) that a USCC's category characters name, or None
    when the category is not one the ledger models (foreign, religious, military ...)."""
    return _KIND_BY_CATEGORY.get(code[:2].upper())


def region_of_uscc(code: str) -> str:
    """The administrative division code (GB/T 2260) of a USCC: characters 3-8."""
    return code[2:8]
