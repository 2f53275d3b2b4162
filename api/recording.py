"""What every provider write shares: who records, and how a receipt is answered."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Response

from api.auth import Caller, Role
from api.deps import Provider
from api.schemas import WriteReceipt
from ledger.application import By, Receipt

R = TypeVar("R", bound=WriteReceipt)

# Shown in the OpenAPI document beside the 201 every write declares.
REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The same request was recorded before: the original receipt, "
                         "nothing new stored"},
}


def recording_caller(caller: Provider) -> Caller:
    """A provider whose token names the authority its records are made under."""
    if not caller.authority:
        raise HTTPException(403, "this token names no authority to record under")
    return caller


Recorder = Annotated[Caller, Depends(recording_caller)]


def may_act_for_any_authority(caller: Caller) -> bool:
    return caller.role == Role.ADMIN


def by(caller: Caller) -> By:
    """Who records: the caller's authority and actor; an admin acts for any authority."""
    return By(caller.authority, caller.actor, any_authority=may_act_for_any_authority(caller))


def answer(response: Response, receipt: Receipt, model: type[R], **fields: Any) -> R:
    """201 when an event was recorded now, 200 for a replay; the body is the same either way."""
    response.status_code = 201 if receipt.created else 200
    return model(position=receipt.position, stream=receipt.stream, version=receipt.version,
                 type=receipt.type, hash=receipt.hash, **fields)
