"""Provider writes: credit commitments and whether they were kept."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer, may_act_for_any_authority
from api.schemas import CommitmentReceipt
from ledger.contracts.records import CommitmentIn, CommitmentOutcomeIn
from ledger.identity import path_code

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


@router.post("/{code}/commitments", status_code=201, response_model=CommitmentReceipt,
             responses=REPLAYED)
def make_commitment(code: str, body: CommitmentIn, caller: Recorder, ledger: LedgerDep,
                    response: Response) -> CommitmentReceipt:
    """Record a credit commitment of one of the five types."""
    subject = path_code(code)
    receipt, (_, commitment_id) = ledger.execute(subject, lambda s: s.make_commitment(
        authority=caller.authority, actor=caller.actor,
        commitment_type=body.commitment_type.value, made_on=body.made_on, content=body.content,
        due_on=body.due_on, commitment_no=body.commitment_no, today=ledger.clock()))
    return answer(response, receipt, CommitmentReceipt, subject=subject,
                  commitment_id=commitment_id)


def _settle(code: str, commitment_id: str, kept: bool, body: CommitmentOutcomeIn,
            caller: Recorder, ledger: LedgerDep, response: Response) -> CommitmentReceipt:
    subject = path_code(code)
    receipt, _ = ledger.execute(subject, lambda s: s.settle_commitment(
        commitment_id=commitment_id, kept=kept, on=body.on, note=body.note or "",
        authority=caller.authority, actor=caller.actor, today=ledger.clock(),
        any_authority=may_act_for_any_authority(caller)))
    return answer(response, receipt, CommitmentReceipt, subject=subject,
                  commitment_id=commitment_id)


@router.post("/{code}/commitments/{commitment_id}/fulfilment", status_code=201,
             response_model=CommitmentReceipt)
def fulfil_commitment(code: str, commitment_id: str, body: CommitmentOutcomeIn,
                      caller: Recorder, ledger: LedgerDep, response: Response
                      ) -> CommitmentReceipt:
    """Record that a commitment was kept; only its authority (or an admin) may."""
    return _settle(code, commitment_id, True, body, caller, ledger, response)


@router.post("/{code}/commitments/{commitment_id}/breach", status_code=201,
             response_model=CommitmentReceipt)
def breach_commitment(code: str, commitment_id: str, body: CommitmentOutcomeIn,
                      caller: Recorder, ledger: LedgerDep, response: Response
                      ) -> CommitmentReceipt:
    """Record that a commitment was broken; only its authority (or an admin) may."""
    return _settle(code, commitment_id, False, body, caller, ledger, response)
