"""The officer's steps on one repair case: POST /v1/repairs/{id}/<step>."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.repair_desk import Acting, DeskDep, act
from api.repair_schemas import RepairWritten
from ledger import repairs
from ledger.contracts.repairs import (
    AcceptIn,
    ApproveIn,
    CommitmentLinkIn,
    InformIn,
    RefuseIn,
    RejectIn,
    ReportIn,
    TrainingIn,
    WithdrawIn,
)

router = APIRouter()


@router.post("/{id}/accept", status_code=201, response_model=RepairWritten)
def accept(id: str, body: AcceptIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Accept an admissible application (commitment linked); the decision falls due."""
    return act(d, caller, id, response, lambda by: repairs.accept(
        d.ledger, id, on=body.accepted_on, by=by, policy=d.policy))


@router.post("/{id}/refuse", status_code=201, response_model=RepairWritten)
def refuse(id: str, body: RefuseIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Refuse an application as inadmissible, naming the rule that fails."""
    return act(d, caller, id, response, lambda by: repairs.refuse(
        d.ledger, id, on=body.refused_on, rule=body.rule, reason=body.reason, by=by))


@router.post("/{id}/training", status_code=201, response_model=RepairWritten)
def training(id: str, body: TrainingIn, caller: Acting, d: DeskDep, response: Response
             ) -> RepairWritten:
    """Record that the subject completed credit-repair training."""
    return act(d, caller, id, response, lambda by: repairs.record_training(
        d.ledger, id, on=body.completed_on, provider=body.provider,
        certificate_no=body.certificate_no, by=by))


@router.post("/{id}/commitment", status_code=201, response_model=RepairWritten)
def commitment(id: str, body: CommitmentLinkIn, caller: Acting, d: DeskDep,
               response: Response) -> RepairWritten:
    """Link the subject's own repair commitment (CommitmentMade of type repair)."""
    return act(d, caller, id, response, lambda by: repairs.link_commitment(
        d.ledger, id, commitment_id=body.commitment_id, by=by))


@router.post("/{id}/report", status_code=201, response_model=RepairWritten)
def report(id: str, body: ReportIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Attach a third-party credit report."""
    return act(d, caller, id, response, lambda by: repairs.submit_report(
        d.ledger, id, issued_on=body.issued_on, agency=body.agency, report_no=body.report_no,
        conclusion=body.conclusion, by=by))


@router.post("/{id}/approve", status_code=201, response_model=RepairWritten)
def approve(id: str, body: ApproveIn, caller: Acting, d: DeskDep, response: Response
            ) -> RepairWritten:
    """Approve: the penalty stops being published, or the subject leaves the list, at once."""
    return act(d, caller, id, response, lambda by: repairs.approve(
        d.ledger, id, on=body.decided_on, by=by, policy=d.policy))


@router.post("/{id}/reject", status_code=201, response_model=RepairWritten)
def reject(id: str, body: RejectIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Reject an accepted application, with reasons."""
    return act(d, caller, id, response, lambda by: repairs.reject(
        d.ledger, id, on=body.decided_on, reasons=body.reasons, by=by, policy=d.policy))


@router.post("/{id}/withdraw", status_code=201, response_model=RepairWritten)
def withdraw(id: str, body: WithdrawIn, caller: Acting, d: DeskDep, response: Response
             ) -> RepairWritten:
    """Record that the subject withdrew the application."""
    return act(d, caller, id, response, lambda by: repairs.withdraw(
        d.ledger, id, on=body.withdrawn_on, reason=body.reason, by=by))


@router.post("/{id}/inform", status_code=201, response_model=RepairWritten)
def inform(id: str, body: InformIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Record that the penalising or listing authority was told of the decision."""
    return act(d, caller, id, response, lambda by: repairs.inform(
        d.ledger, id, on=body.informed_on, by=by))
