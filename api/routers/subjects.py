"""Provider writes: registering subjects and linking their principals."""

from __future__ import annotations

import re

from fastapi import APIRouter, Response

from api.deps import LedgerDep, SettingsDep
from api.errors import CodeFieldError
from api.recording import REPLAYED, Recorder, answer
from api.schemas import PrincipalReceipt, SubjectReceipt
from ledger.contracts.records import PrincipalIn, SubjectIn
from ledger.domain.resident_id import validate_resident_id
from ledger.domain.uscc import CodeError
from ledger.identity import Identity, identify, path_code, principal_code
from ledger.settings import Settings

router = APIRouter(prefix="/v1/subjects", tags=["provider"])

_RESIDENT_ID = re.compile(r"\d{17}[\dXx]")


def _key(settings: Settings) -> bytes:
    return settings.pseudonym_key.get_secret_value().encode()


def _identity(body: SubjectIn, settings: Settings) -> Identity:
    try:
        return identify(body.code, body.kind, _key(settings),
                        allow_invalid_code=body.allow_invalid_code)
    except CodeError as e:
        raise CodeFieldError("code", e) from None


def _principal(raw: str, settings: Settings) -> tuple[str, str | None]:
    try:
        return principal_code(raw, _key(settings))
    except CodeError as e:
        if _RESIDENT_ID.fullmatch(raw):
            # Looks like a person: report the ID rule, not a USCC message quoting its digits.
            try:
                validate_resident_id(raw)
            except CodeError as person:
                raise CodeFieldError("principal", person) from None
        raise CodeFieldError("principal", e) from None


@router.post("", status_code=201, response_model=SubjectReceipt, responses=REPLAYED)
def register_subject(body: SubjectIn, caller: Recorder, ledger: LedgerDep,
                     settings: SettingsDep, response: Response) -> SubjectReceipt:
    """Register a subject by USCC, or a natural person by resident ID (kept as a pseudonym)."""
    identity = _identity(body, settings)
    receipt = ledger.register(code=identity.code, name=body.name, kind=body.kind.value,
                              masked=identity.masked, authority=caller.authority,
                              actor=caller.actor, code_check_failed=identity.code_check_failed)
    return answer(response, receipt, SubjectReceipt, subject=identity.code,
                  masked=identity.masked, code_check_failed=identity.code_check_failed)


@router.post("/{code}/principals", status_code=201, response_model=PrincipalReceipt,
             responses=REPLAYED)
def link_principal(code: str, body: PrincipalIn, caller: Recorder, ledger: LedgerDep,
                   settings: SettingsDep, response: Response) -> PrincipalReceipt:
    """Link a legal representative or responsible person, traced through on dishonesty."""
    subject = path_code(code)
    principal, masked = _principal(body.principal, settings)
    receipt, _ = ledger.execute(subject, lambda s: s.link_principal(
        principal=principal, role=body.role.value, name=body.name, since=body.since,
        authority=caller.authority, actor=caller.actor, today=ledger.clock()))
    return answer(response, receipt, PrincipalReceipt, subject=subject, principal=principal,
                  masked=masked)
