"""Repair officers: file credit-repair (exit) applications, follow the worklist, read cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Response

from api import repair_steps
from api.deps import Officer
from api.recording import by
from api.repair_desk import Acting, DeskDep, check_scope, public, written
from api.repair_schemas import (
    RepairDetail,
    RepairPublic,
    RepairsPage,
    RepairWritten,
    StatusFilter,
    TimelineEntry,
)
from ledger.contracts.repairs import RepairIn
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import NotFound
from ledger.domain.repair import provisional
from ledger.repair.lookup import target_of
from ledger.store.notifications import envelope_from_stored

router = APIRouter(prefix="/v1/repairs", tags=["repair officers"])


@router.post("", status_code=201, response_model=RepairWritten,
             responses={404: {"description": "No subject with that code"}})
def file_application(body: RepairIn, caller: Acting, d: DeskDep, response: Response
                     ) -> RepairWritten:
    """File an application; an inadmissible one is recorded as refused, with the failed rule."""
    code = d.subject_code(body.subject)
    if not d.ledger.has_subject(code):
        # Never echo what was sent: it may be a person's ID number.
        raise NotFound("no subject with that code", field="subject")
    target = target_of(d.ledger.subject(code), "", body.target, body.target_authority)
    check_scope(caller, target.domain)
    return written(d, response, d.ledger.file_repair(code, body, by(caller)))


@router.get("", response_model=RepairsPage)
def worklist(caller: Officer, d: DeskDep, status: StatusFilter | None = None,
             domain: str | None = None, overdue: bool = False,
             page: int = Query(1, ge=1, le=1_000_000),
             page_size: int = Query(50, ge=1, le=200)) -> RepairsPage:
    """The worklist, oldest due first; `overdue=true` keeps the cases past a deadline."""
    if domain is not None:
        check_scope(caller, domain)
    d.worklist.catch_up()
    today = d.ledger.clock()
    found = d.worklist.page(status=str(status) if status else None,
                            domains=[domain] if domain else sorted(caller.domains),
                            overdue_on=today if overdue else None, page=page, size=page_size)
    items = [RepairPublic(**row_public(row, today, d.ledger.calendar)) for row in found.items]
    return RepairsPage(items=items, page=page, page_size=page_size, total=found.total)


def row_public(row: dict[str, Any], today: date, calendar: WorkingCalendar) -> dict[str, Any]:
    due = row["due_on"]
    return {k: v for k, v in row.items() if k not in ("case_id", "version")} | {
        "id": row["case_id"], "overdue": bool(due) and today.isoformat() > due,
        "provisional": provisional(calendar, (row["accepted_on"], row["decision_due"]),
                                   (row["decided_on"], row["notify_due"]))}


@router.get("/{id}", response_model=RepairDetail)
def case_detail(id: str, caller: Officer, d: DeskDep) -> RepairDetail:
    """One case with its due dates and the timeline of every recorded step."""
    case = d.ledger.repair_case(id)
    check_scope(caller, case.domain)
    # As stored and hashed, not as the domain reads them today (upcast): ADR 018.
    envelopes = [envelope_from_stored(e.topic, e.originator_id, e.originator_version, e.state,
                                      None) for e in d.ledger.recorder.select_events(case.id)]
    timeline = [TimelineEntry(**{k: env[k] for k in TimelineEntry.model_fields})
                for env in envelopes]
    return RepairDetail(**public(case, d.ledger), commitment_id=case.commitment_id,
                        trainings=case.trainings, reports=case.reports, timeline=timeline)


router.include_router(repair_steps.router)
