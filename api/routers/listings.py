"""Provider writes: putting subjects on the red, black and key-attention lists, and removal."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer, by
from api.schemas import ListingReceipt, WriteReceipt
from ledger.contracts.records import ListingIn, RemovalIn
from ledger.identity import path_code

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


@router.post("/{code}/listings", status_code=201, response_model=ListingReceipt,
             responses=REPLAYED)
def put_on_list(code: str, body: ListingIn, caller: Recorder, ledger: LedgerDep,
                response: Response) -> ListingReceipt:
    """List a subject after prior notice, for a stated period; one listing per list and domain."""
    subject = path_code(code)
    receipt = ledger.put_on_list(subject, body, by(caller))
    return answer(response, receipt, ListingReceipt, subject=subject, **receipt.extra)


@router.post("/{code}/listings/{listing_id}/removal", status_code=201,
             response_model=WriteReceipt)
def remove_from_list(code: str, listing_id: str, body: RemovalIn, caller: Recorder,
                     ledger: LedgerDep, response: Response) -> WriteReceipt:
    """Take a subject off a list it is on; only the listing authority may do so."""
    subject = path_code(code)
    receipt = ledger.remove_from_list(subject, listing_id, body, by(caller))
    return answer(response, receipt, WriteReceipt, subject=subject)
