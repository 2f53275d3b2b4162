"""Provider writes that correct what is recorded: revocations and corrections of permits and
penalties (by the authority that recorded them), renaming and deregistering a subject (by its
registrar). An admin may act for any authority. Decision numbers travel URL-encoded in the
path (〔〕, 号 and even a slash are fine)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.correction_schemas import PenaltyCorrectionReceipt, PermitCorrectionReceipt, RecordReceipt
from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer, by
from api.schemas import WriteReceipt
from ledger.contracts.corrections import (
    DeregistrationIn,
    PenaltyCorrectionIn,
    PermitCorrectionIn,
    RenameIn,
    RevocationIn,
)
from ledger.identity import path_code

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


@router.post("/{code}/penalties/{decision_no:path}/revocation", status_code=201,
             response_model=RecordReceipt, responses=REPLAYED)
def revoke_penalty(code: str, decision_no: str, body: RevocationIn, caller: Recorder,
                   ledger: LedgerDep, response: Response) -> RecordReceipt:
    """Revoke a penalty: it leaves the profile and the score from `revoked_on`."""
    subject = path_code(code)
    receipt = ledger.revoke_penalty(subject, decision_no, body, by(caller))
    return answer(response, receipt, RecordReceipt, subject=subject, decision_no=decision_no)


@router.post("/{code}/penalties/{decision_no:path}/correction", status_code=201,
             response_model=PenaltyCorrectionReceipt, responses=REPLAYED)
def correct_penalty(code: str, decision_no: str, body: PenaltyCorrectionIn, caller: Recorder,
                    ledger: LedgerDep, response: Response) -> PenaltyCorrectionReceipt:
    """Correct a penalty's fields from `corrected_on`; its window and lateness are recomputed."""
    subject = path_code(code)
    receipt = ledger.correct_penalty(subject, decision_no, body, by(caller))
    return answer(response, receipt, PenaltyCorrectionReceipt, subject=subject,
                  decision_no=decision_no, **receipt.extra)


@router.post("/{code}/permits/{decision_no:path}/revocation", status_code=201,
             response_model=RecordReceipt, responses=REPLAYED)
def revoke_permit(code: str, decision_no: str, body: RevocationIn, caller: Recorder,
                  ledger: LedgerDep, response: Response) -> RecordReceipt:
    """Revoke a permit (its score points end from `revoked_on`)."""
    subject = path_code(code)
    receipt = ledger.revoke_permit(subject, decision_no, body, by(caller))
    return answer(response, receipt, RecordReceipt, subject=subject, decision_no=decision_no)


@router.post("/{code}/permits/{decision_no:path}/correction", status_code=201,
             response_model=PermitCorrectionReceipt, responses=REPLAYED)
def correct_permit(code: str, decision_no: str, body: PermitCorrectionIn, caller: Recorder,
                   ledger: LedgerDep, response: Response) -> PermitCorrectionReceipt:
    """Correct a permit's fields from `corrected_on`; its lateness is recomputed."""
    subject = path_code(code)
    receipt = ledger.correct_permit(subject, decision_no, body, by(caller))
    return answer(response, receipt, PermitCorrectionReceipt, subject=subject,
                  decision_no=decision_no, **receipt.extra)


@router.post("/{code}/name", status_code=201, response_model=WriteReceipt, responses=REPLAYED)
def rename_subject(code: str, body: RenameIn, caller: Recorder, ledger: LedgerDep,
                   response: Response) -> WriteReceipt:
    """Record a subject's new name; its former names stay on its profile and searchable."""
    subject = path_code(code)
    receipt = ledger.rename_subject(subject, body, by(caller))
    return answer(response, receipt, WriteReceipt, subject=subject)


@router.post("/{code}/deregistration", status_code=201, response_model=WriteReceipt,
             responses=REPLAYED)
def deregister_subject(code: str, body: DeregistrationIn, caller: Recorder, ledger: LedgerDep,
                       response: Response) -> WriteReceipt:
    """Record that a subject was deregistered (注销); its records stay."""
    subject = path_code(code)
    receipt = ledger.deregister_subject(subject, body, by(caller))
    return answer(response, receipt, WriteReceipt, subject=subject)
