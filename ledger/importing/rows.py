"""One imported record, validated: the same bodies and checks as the provider API."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from ledger.contracts.codes import KindCode
from ledger.contracts.fields import IsoDate, Short
from ledger.contracts.integrity import (
    CreditReportIn,
    GovernmentDefaultIn,
    RectificationIn,
)
from ledger.contracts.records import (
    CommitmentIn,
    CommitmentOutcomeIn,
    ListingIn,
    PenaltyIn,
    PermitIn,
    PrincipalIn,
    SubjectIn,
)
from ledger.contracts.templates import TEMPLATE_BODIES
from ledger.domain.resident_id import mask, pseudonym
from ledger.domain.uscc import CodeError
from ledger.domain.vocabulary import PERSON_KINDS, SubjectKind
from ledger.identity import PSEUDONYM_PREFIX, identify
from ledger.importing.civil_rows import civil_row
from ledger.importing.row_parts import (
    Row,
    RowError,
    TemplateRecord,
    attempt,
    check,
    checked_uscc,
    person_or_code,
    validate,
)
from ledger.subject_cases import Registration

BODIES: dict[str, type[BaseModel]] = {
    "principal": PrincipalIn, "permit": PermitIn, "penalty": PenaltyIn, "listing": ListingIn,
    "commitment": CommitmentIn, "commitment_outcome": CommitmentOutcomeIn,
    "government_default": GovernmentDefaultIn, "default_rectification": RectificationIn,
    "credit_report": CreditReportIn,
}
# Civil servants' files: not subjects' facts (ledger/importing/civil.py decides them).
CIVIL_RECORDS = ("civil_servant", "civil_servant_record")
RECORDS = ("subject", *BODIES, *CIVIL_RECORDS)
_RESIDENT_ID = re.compile(r"\d{17}[\dXx]")
_DATE = TypeAdapter(IsoDate)
_KIND = TypeAdapter(KindCode)
_SHORT = TypeAdapter(Short)
_OUTCOME = TypeAdapter(Literal["fulfilled", "breached"])


def parse_record(obj: Any, line: int, default_authority: str | None, key: bytes,
                 people: dict[str, str] | None = None) -> Row:
    """Validate one record (a JSON object) into a Row, or raise RowError naming every problem.

    `people`, if given, remembers the pseudonym of each resident ID seen (one import's worth:
    a file names the same persons again and again, and each HMAC costs).
    """
    if not isinstance(obj, dict):
        raise RowError([("record", "expected a JSON object")])
    fields = dict(obj)
    record = fields.pop("record", None)
    if record not in RECORDS:
        raise RowError([("record", f"expected one of {', '.join(RECORDS)}, got {record!r}")])
    problems: list[tuple[str, str]] = []
    authority = attempt(problems, _authority, fields.pop("authority", None) or default_authority)
    if record == "subject":
        row = attempt(problems, _subject_row, fields, line, authority or "", key)
        if problems or row is None:
            raise RowError(problems)
        return row
    if record in CIVIL_RECORDS:
        found = attempt(problems, civil_row, record, fields, line, authority or "", key)
        if problems or found is None:
            raise RowError(problems)
        return found
    raw = fields.pop("subject", None)
    ref = attempt(problems, subject_ref, raw, key, people)
    extra = attempt(problems, _pop_extras, record, fields, key, people)
    model = BODIES[record]
    if isinstance(obj, TemplateRecord) and record in TEMPLATE_BODIES:
        model = TEMPLATE_BODIES[record]
        _pseudonymise(fields, key)
    body = attempt(problems, validate, model, fields)
    if problems or authority is None or ref is None or extra is None:
        raise RowError(problems)
    code, alt = ref[0], _uscc_reading(raw) if ref[0].startswith(PSEUDONYM_PREFIX) else None
    party = extra.get("register")
    if party is not None:  # its code is the row's subject, known only now
        masked = None
        if alt is not None:  # the row declares its party's kind
            code, alt = (code if SubjectKind(party.kind) in PERSON_KINDS else alt), None
        elif code.startswith(PSEUDONYM_PREFIX) and _RESIDENT_ID.fullmatch(text := str(raw).strip()):
            masked = mask(text)  # a person first named by a row shows masked, as if registered
        extra["register"] = replace(party, code=code, masked=masked)
    return Row(line, record, authority, code, body=body, code_error=ref[1], alt_subject=alt,
               columns=getattr(obj, "columns", None), **extra)


def _pseudonymise(fields: dict[str, Any], key: bytes) -> None:
    """A template's ID numbers (法定代表人证件号码, a person's 证件号码 beside a USCC ...) are
    kept only as their keyed pseudonyms: the same as the person's subject code, when the
    number is a resident ID number."""
    details = fields.setdefault("template_details", {})
    for name, number in fields.pop("personal_ids", {}).items():
        details[f"{name}_pseudonym"] = pseudonym(str(number), key)


def _uscc_reading(raw: Any) -> str | None:
    """The USCC an all-digit reference also spells, if it passes the USCC checks."""
    text = str(raw or "").strip()
    if not _RESIDENT_ID.fullmatch(text):
        return None
    checked = checked_uscc(text)
    return checked if isinstance(checked, str) else None


def _authority(raw: Any) -> str:
    if not raw:
        raise RowError([("authority", "missing: give it in the record or with --authority")])
    checked = checked_uscc(str(raw))
    if isinstance(checked, CodeError):
        raise RowError([("authority", str(checked))])
    return checked


def _subject_row(fields: dict[str, Any], line: int, authority: str, key: bytes) -> Row:
    raw_on = fields.pop("registered_on", None)
    on = None if raw_on is None else check(_DATE, "registered_on", raw_on)
    body = validate(SubjectIn, fields)
    assert isinstance(body, SubjectIn)
    try:
        ident = identify(body.code, body.kind, key, allow_invalid_code=body.allow_invalid_code)
    except CodeError as e:
        raise RowError([("code", str(e))]) from None
    reg = Registration(ident.code, body.name, body.kind.value, ident.masked,
                       code_check_failed=ident.code_check_failed, registered_on=on,
                       profession=body.profession.value if body.profession else None)
    return Row(line, "subject", authority, ident.code, register=reg)


def _pop_extras(record: str, fields: dict[str, Any], key: bytes,
                people: dict[str, str] | None = None) -> dict[str, Any]:
    """Fields a record carries beyond its API body: the party, principal or outcome."""
    extra: dict[str, Any] = {}
    kind = fields.pop("party_kind", None)
    if kind is not None and record in ("permit", "penalty"):
        name = check(_SHORT, "party_name", fields.get("party_name"))
        # The code is the row's subject, set once known (parse_record).
        extra["register"] = Registration("", name, check(_KIND, "party_kind", kind).value)
    if record == "principal":
        extra["principal"] = person_or_code(fields.get("principal"), key, "principal", people)
    if record == "commitment_outcome":
        outcome = check(_OUTCOME, "outcome", fields.pop("outcome", None))
        ref = {k: fields.pop(k) for k in ("commitment_id", "commitment_no") if fields.get(k)}
        if not ref:
            raise RowError([("commitment_no", "give commitment_no or commitment_id")])
        extra["outcome"] = {"kept": outcome == "fulfilled"} | {
            k: check(_SHORT, k, str(v)) for k, v in ref.items()}
    if record == "default_rectification":
        extra["outcome"] = default_ref(fields)
    return extra


def default_ref(fields: dict[str, Any]) -> dict[str, Any]:
    """Which government default a rectification row is about: its id, or what identifies it
    (the recording authority's kind, creditor and day)."""
    if fields.get("default_id"):
        return {"default_id": check(_SHORT, "default_id", str(fields.pop("default_id")))}
    ref = {k: fields.pop(k, None) for k in ("kind", "creditor", "recorded_on")}
    missing = [k for k, v in ref.items() if not v]
    if missing:
        raise RowError([(k, "give default_id, or kind, creditor and recorded_on")
                        for k in missing])
    return {"kind": check(_SHORT, "kind", ref["kind"]),
            "creditor": check(_SHORT, "creditor", ref["creditor"]),
            "recorded_on": check(_DATE, "recorded_on", ref["recorded_on"])}


def subject_ref(raw: Any, key: bytes, people: dict[str, str] | None = None
                ) -> tuple[str, CodeError | None]:
    """The subject code a record names: a USCC, a pseudonym, or a resident ID to pseudonymise.

    A USCC failing only its check characters may name an early pilot subject recorded with an
    override, so it is kept with its error, reported only if no such subject exists.
    """
    text = str(raw or "").strip()
    if not text:
        raise RowError([("subject", "missing: the subject's USCC, resident ID or pseudonym")])
    if text.startswith(PSEUDONYM_PREFIX):
        return text, None
    if _RESIDENT_ID.fullmatch(text):
        return person_or_code(text, key, "subject", people), None
    checked = checked_uscc(text)
    if not isinstance(checked, CodeError):
        return checked, None
    if checked.rule in ("check_character", "org_code_check"):
        return text.upper(), checked
    raise RowError([("subject", str(checked))])
