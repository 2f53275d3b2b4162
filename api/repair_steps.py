"""The officer's steps on one repair case: POST /v1/repairs/{id}/<step>."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.recording import by
from api.repair_desk import Acting, DeskDep, in_scope, written
from api.repair_schemas import RepairWritten
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
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.accept_repair(case_id, body, by(caller)))


@router.post("/{id}/refuse", status_code=201, response_model=RepairWritten)
def refuse(id: str, body: RefuseIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Refuse an application as inadmissible, naming the rule that fails."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.refuse_repair(case_id, body, by(caller)))


@router.post("/{id}/training", status_code=201, response_model=RepairWritten)
def training(id: str, body: TrainingIn, caller: Acting, d: DeskDep, response: Response
             ) -> RepairWritten:
    """Record that the subject completed credit-repair training."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.record_repair_training(case_id, body, by(caller)))


@router.post("/{id}/commitment", status_code=201, response_model=RepairWritten)
def commitment(id: str, body: CommitmentLinkIn, caller: Acting, d: DeskDep,
               response: Response) -> RepairWritten:
    """Link the subject's own repair commitment (CommitmentMade of type repair)."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.link_repair_commitment(case_id, body, by(caller)))


@router.post("/{id}/report", status_code=201, response_model=RepairWritten)
def report(id: str, body: ReportIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Attach a third-party credit report."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.submit_repair_report(case_id, body, by(caller)))


@router.post("/{id}/approve", status_code=201, response_model=RepairWritten)
def approve(id: str, body: ApproveIn, caller: Acting, d: DeskDep, response: Response
            ) -> RepairWritten:
    """Approve: the penalty stops being published, or the subject leaves the list, at once."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.approve_repair(case_id, body, by(caller)))


@router.post("/{id}/reject", status_code=201, response_model=RepairWritten)
def reject(id: str, body: RejectIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Reject an accepted application, with reasons."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.reject_repair(case_id, body, by(caller)))


@router.post("/{id}/withdraw", status_code=201, response_model=RepairWritten)
def withdraw(id: str, body: WithdrawIn, caller: Acting, d: DeskDep, response: Response
             ) -> RepairWritten:
    """Record that the subject withdrew the application."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.withdraw_repair(case_id, body, by(caller)))


@router.post("/{id}/inform", status_code=201, response_model=RepairWritten)
def inform(id: str, body: InformIn, caller: Acting, d: DeskDep, response: Response
           ) -> RepairWritten:
    """Record that the penalising or listing authority was told of the decision."""
    case_id = in_scope(d, caller, id)
    return written(d, response, d.ledger.inform_of_repair(case_id, body, by(caller)))
