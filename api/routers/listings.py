"""Provider writes: putting subjects on the red, black and key-attention lists, and removal."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer, may_act_for_any_authority
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
    receipt, (_, listing_id) = ledger.execute(subject, lambda s: s.put_on_list(
        authority=caller.authority, actor=caller.actor, list_name=body.list_name.value,
        domain=body.domain.value, basis=body.basis, notified_on=body.notified_on,
        listed_on=body.listed_on, expires_on=body.expires_on,
        removal_conditions=body.removal_conditions or "", today=ledger.clock(),
        policy=ledger.policy, calendar=ledger.calendar))
    return answer(response, receipt, ListingReceipt, subject=subject, listing_id=listing_id)


@router.post("/{code}/listings/{listing_id}/removal", status_code=201,
             response_model=WriteReceipt)
def remove_from_list(code: str, listing_id: str, body: RemovalIn, caller: Recorder,
                     ledger: LedgerDep, response: Response) -> WriteReceipt:
    """Take a subject off a list it is on; only the listing authority may do so."""
    subject = path_code(code)
    receipt, _ = ledger.execute(subject, lambda s: s.remove_from_list(
        listing_id=listing_id, authority=caller.authority, actor=caller.actor,
        delisted_on=body.delisted_on, reason=body.reason.value, today=ledger.clock(),
        any_authority=may_act_for_any_authority(caller)))
    return answer(response, receipt, WriteReceipt, subject=subject)
