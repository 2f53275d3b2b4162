"""What a registration must agree with: the kind its USCC's category names, and a profession
only for the professions' people."""

from __future__ import annotations

from ledger.domain.errors import RuleViolation
from ledger.domain.labels import label
from ledger.domain.uscc import kind_of_uscc
from ledger.domain.vocabulary import SubjectKind


class KindOfCode(RuleViolation):
    """A USCC's characters 1-2 name the kind of organisation it was issued to (GB 32100)."""

    rule = "kind_of_code"


class ProfessionOfKind(RuleViolation):
    rule = "profession_kind"


def check_registration(code: str, kind: str, profession: str | None) -> None:
    named = kind_of_uscc(code)
    if named is not None and named != kind:
        raise KindOfCode(
            f"a USCC beginning {code[:2]!r} is issued to a {named} "
            f"({label(named, SubjectKind)}), not a {kind}: register it as {named}",
            field="kind")
    if profession is not None and kind != SubjectKind.PROFESSIONAL:
        raise ProfessionOfKind(f"a profession is recorded only for a professional, not a "
                               f"{kind}", field="profession")
