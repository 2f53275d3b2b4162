"""Provider writes: a government body's own defaults and their rectification, and third-party
credit reports on any subject (issue 20)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import LedgerDep
from api.integrity_schemas import CreditReportReceipt, GovernmentDefaultReceipt
from api.recording import REPLAYED, Recorder, answer, by
from ledger.contracts.integrity import CreditReportIn, GovernmentDefaultIn, RectificationIn
from ledger.identity import path_code

router = APIRouter(prefix="/v1/subjects", tags=["provider"])


@router.post("/{code}/government-defaults", status_code=201,
             response_model=GovernmentDefaultReceipt, responses=REPLAYED)
def record_government_default(code: str, body: GovernmentDefaultIn, caller: Recorder,
                              ledger: LedgerDep, response: Response) -> GovernmentDefaultReceipt:
    """Record a government body's or public institution's default (422 `government_only`
    for any other subject), with the deadline to rectify it."""
    subject = path_code(code)
    receipt = ledger.record_government_default(subject, body, by(caller))
    return answer(response, receipt, GovernmentDefaultReceipt, subject=subject, **receipt.extra)


@router.post("/{code}/government-defaults/{default_id}/rectification", status_code=201,
             response_model=GovernmentDefaultReceipt, responses=REPLAYED)
def rectify_government_default(code: str, default_id: str, body: RectificationIn,
                               caller: Recorder, ledger: LedgerDep, response: Response
                               ) -> GovernmentDefaultReceipt:
    """Record that a default was rectified; only its authority (or an admin) may."""
    subject = path_code(code)
    receipt = ledger.rectify_government_default(subject, default_id, body, by(caller))
    return answer(response, receipt, GovernmentDefaultReceipt, subject=subject, **receipt.extra)


@router.post("/{code}/credit-reports", status_code=201, response_model=CreditReportReceipt,
             responses=REPLAYED)
def record_credit_report(code: str, body: CreditReportIn, caller: Recorder, ledger: LedgerDep,
                         response: Response) -> CreditReportReceipt:
    """Record a third-party credit report issued on any subject."""
    subject = path_code(code)
    receipt = ledger.record_credit_report(subject, body, by(caller))
    return answer(response, receipt, CreditReportReceipt, subject=subject, agency=body.agency,
                  report_no=body.report_no)
