"""Provider writes: double publicity of administrative permits and penalties."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer, by
from api.schemas import PenaltyReceipt, PermitReceipt
from ledger.contracts.records import PenaltyIn, PermitIn
from ledger.domain.publicity import publication_provisional
from ledger.identity import path_code

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


@router.post("/{code}/permits", status_code=201, response_model=PermitReceipt,
             responses=REPLAYED)
def grant_permit(code: str, body: PermitIn, caller: Recorder, ledger: LedgerDep,
                 response: Response) -> PermitReceipt:
    """Publish a permit decision; a publication after 7 working days is recorded as late."""
    subject = path_code(code)
    receipt = ledger.grant_permit(subject, body, by(caller))
    return answer(response, receipt, PermitReceipt, subject=subject, **receipt.extra,
                  provisional=publication_provisional(body.decided_on, ledger.calendar))


@router.post("/{code}/penalties", status_code=201, response_model=PenaltyReceipt,
             responses=REPLAYED)
def impose_penalty(code: str, body: PenaltyIn, caller: Recorder, ledger: LedgerDep,
                   response: Response) -> PenaltyReceipt:
    """Publish a penalty decision; its publicity window follows the rules of its decision date."""
    subject = path_code(code)
    receipt = ledger.impose_penalty(subject, body, by(caller))
    return answer(response, receipt, PenaltyReceipt, subject=subject, **receipt.extra,
                  provisional=publication_provisional(body.decided_on, ledger.calendar))
