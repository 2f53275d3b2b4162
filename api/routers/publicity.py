"""Provider writes: double publicity of administrative permits and penalties."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.recording import REPLAYED, Recorder, answer
from api.schemas import PenaltyReceipt, PermitReceipt
from ledger.contracts.records import PenaltyIn, PermitIn
from ledger.domain.publicity import publication_provisional
from ledger.domain.subject import Subject
from ledger.domain.subject_events import key
from ledger.identity import path_code

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


@router.post("/{code}/permits", status_code=201, response_model=PermitReceipt,
             responses=REPLAYED)
def grant_permit(code: str, body: PermitIn, caller: Recorder, ledger: LedgerDep,
                 response: Response) -> PermitReceipt:
    """Publish a permit decision; a publication after 7 working days is recorded as late."""
    subject = path_code(code)

    def decide(s: Subject) -> tuple[int, dict[str, Any]]:
        version = s.grant_permit(
            authority=caller.authority, actor=caller.actor, decision_no=body.decision_no,
            category=body.category, decided_on=body.decided_on, published_on=body.published_on,
            details=body.details(), today=ledger.clock(), calendar=ledger.calendar)
        return version, s.permits[key(caller.authority, body.decision_no)]["data"]

    receipt, (_, data) = ledger.execute(subject, decide)
    return answer(response, receipt, PermitReceipt, subject=subject, late=data["late"],
                  provisional=publication_provisional(body.decided_on, ledger.calendar))


@router.post("/{code}/penalties", status_code=201, response_model=PenaltyReceipt,
             responses=REPLAYED)
def impose_penalty(code: str, body: PenaltyIn, caller: Recorder, ledger: LedgerDep,
                   response: Response) -> PenaltyReceipt:
    """Publish a penalty decision; its publicity window follows the rules of its decision date."""
    subject = path_code(code)

    def decide(s: Subject) -> tuple[int, dict[str, Any]]:
        version = s.impose_penalty(
            authority=caller.authority, actor=caller.actor, decision_no=body.decision_no,
            severity=body.severity.value, domain=body.domain.value, decided_on=body.decided_on,
            published_on=body.published_on, category=body.category, basis=body.basis,
            special=body.special, details=body.details(), today=ledger.clock(),
            calendar=ledger.calendar)
        return version, s.penalties[key(caller.authority, body.decision_no)]["data"]

    receipt, (_, data) = ledger.execute(subject, decide)
    return answer(response, receipt, PenaltyReceipt, subject=subject, late=data["late"],
                  provisional=publication_provisional(body.decided_on, ledger.calendar),
                  rule_set=data["rule_set"], publicity_min_until=data["publicity_min_until"],
                  publicity_max_until=data["publicity_max_until"])
