"""Provider writes: credit commitments and whether they were kept."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer, by
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
    receipt = ledger.make_commitment(subject, body, by(caller))
    return answer(response, receipt, CommitmentReceipt, subject=subject, **receipt.extra)


@router.post("/{code}/commitments/{commitment_id}/fulfilment", status_code=201,
             response_model=CommitmentReceipt)
def fulfil_commitment(code: str, commitment_id: str, body: CommitmentOutcomeIn,
                      caller: Recorder, ledger: LedgerDep, response: Response
                      ) -> CommitmentReceipt:
    """Record that a commitment was kept; only its authority (or an admin) may."""
    subject = path_code(code)
    receipt = ledger.settle_commitment(subject, commitment_id, body, by(caller), kept=True)
    return answer(response, receipt, CommitmentReceipt, subject=subject,
                  commitment_id=commitment_id)


@router.post("/{code}/commitments/{commitment_id}/breach", status_code=201,
             response_model=CommitmentReceipt)
def breach_commitment(code: str, commitment_id: str, body: CommitmentOutcomeIn,
                      caller: Recorder, ledger: LedgerDep, response: Response
                      ) -> CommitmentReceipt:
    """Record that a commitment was broken; only its authority (or an admin) may."""
    subject = path_code(code)
    receipt = ledger.settle_commitment(subject, commitment_id, body, by(caller), kept=False)
    return answer(response, receipt, CommitmentReceipt, subject=subject,
                  commitment_id=commitment_id)
