"""Provider writes: registering subjects and linking their principals."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep, SettingsDep
from api.errors import CodeFieldError
from api.recording import REPLAYED, Recorder, answer, by
from api.schemas import PrincipalReceipt, SubjectReceipt
from ledger.application import Registration
from ledger.contracts.records import PrincipalIn, SubjectIn
from ledger.domain.uscc import CodeError
from ledger.identity import Identity, identify, path_code, principal_code
from ledger.settings import Settings

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


def _key(settings: Settings) -> bytes:
    return settings.pseudonym_key.get_secret_value().encode()


def _identity(body: SubjectIn, settings: Settings) -> Identity:
    try:
        return identify(body.code, body.kind, _key(settings),
                        allow_invalid_code=body.allow_invalid_code)
    except CodeError as e:
        raise CodeFieldError("code", e) from None


@router.post("", status_code=201, response_model=SubjectReceipt, responses=REPLAYED)
def register_subject(body: SubjectIn, caller: Recorder, ledger: LedgerDep,
                     settings: SettingsDep, response: Response) -> SubjectReceipt:
    """Register a subject by USCC, or a natural person by resident ID (kept as a pseudonym)."""
    identity = _identity(body, settings)
    receipt = ledger.register_subject(
        Registration(identity.code, body.name, body.kind.value, identity.masked,
                     identity.code_check_failed,
                     profession=body.profession.value if body.profession else None), by(caller))
    return answer(response, receipt, SubjectReceipt, subject=identity.code,
                  masked=identity.masked, code_check_failed=identity.code_check_failed)


@router.post("/{code}/principals", status_code=201, response_model=PrincipalReceipt,
             responses=REPLAYED)
def link_principal(code: str, body: PrincipalIn, caller: Recorder, ledger: LedgerDep,
                   settings: SettingsDep, response: Response) -> PrincipalReceipt:
    """Link a legal representative or responsible person, traced through on dishonesty."""
    subject = path_code(code)
    try:
        principal, masked = principal_code(body.principal, _key(settings))
    except CodeError as e:
        raise CodeFieldError("principal", e) from None
    receipt = ledger.link_principal(subject, principal, body, by(caller))
    return answer(response, receipt, PrincipalReceipt, subject=subject, principal=principal,
                  masked=masked)
