"""Joint rewards and punishments (联合奖惩): initiate a case for a listing, respond, close.

Departments (providers) and credit officers act under the authority their token names: the
listing's own department opens the case; each department responds with the measure it
applied; the listing's department closes it with feedback, and it then counts as a valid
joint case in the indicators (`joint_cases_per_listing`). An admin may open or close any
case. An officer scoped to domains acts only on cases in them, as with repairs
(docs/adr/014).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field

from api.auth import Caller, Role
from api.deps import LedgerDep, authenticated
from api.recording import by
from api.repair_desk import DeskDep, check_scope
from api.repair_schemas import StepReceipt
from ledger.application import Receipt
from ledger.contracts.fields import RecordId, SubjectCode
from ledger.contracts.repairs import ClosureIn, JointCaseIn, MeasureIn
from ledger.domain.errors import NotFound
from ledger.domain.joint_case import JointCase

router = APIRouter(prefix="/v1/joint-cases", tags=["joint rewards and punishments"])


class Measure(BaseModel):
    authority: str
    measure: str


Measures = list[Measure]  # named here: inside JointCaseOut, `list` is a field


class JointCaseOut(BaseModel):
    id: RecordId
    subject: SubjectCode
    listing_id: RecordId
    list: str
    domain: str
    kind: str = Field(description="incentive (red list) or punishment (black, key attention)")
    status: str = Field(description="open, or closed once feedback is recorded")
    initiated_on: str
    closed_on: str | None
    measures: Measures
    receipt: StepReceipt | None = None


def department(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
    """A provider, officer or admin whose token names the department it acts for."""
    if caller.role not in (Role.PROVIDER, Role.OFFICER, Role.ADMIN):
        raise HTTPException(403, f"role {caller.role.value} may not do this; needs provider "
                                 "or officer")
    if not caller.authority:
        raise HTTPException(403, "this token names no authority to act under")
    return caller


Department = Annotated[Caller, Depends(department)]


def written(response: Response, done: tuple[Receipt, JointCase]) -> JointCaseOut:
    """201 when this step was recorded now, 200 for a replay of the same step."""
    receipt, case = done
    response.status_code = 201 if receipt.created else 200
    return JointCaseOut(**case.public(), receipt=StepReceipt(
        position=receipt.position, version=receipt.version, type=receipt.type,
        hash=receipt.hash))


@router.post("", status_code=201, response_model=JointCaseOut,
             responses={404: {"description": "No such subject or listing"}})
def initiate(body: JointCaseIn, caller: Department, ledger: LedgerDep, d: DeskDep,
             response: Response) -> JointCaseOut:
    """Open the joint case of an active listing (one per listing); only its authority."""
    code = d.subject_code(body.subject)
    if not ledger.has_subject(code):
        raise NotFound("no subject with that code", field="subject")  # never echo an ID
    listing = ledger.subject(code).listings.get(body.listing_id)
    if listing is not None:  # an unknown listing is the use case's 404
        check_scope(caller, listing["data"]["domain"])
    return written(response, ledger.open_joint_case(code, body, by(caller)))


@router.post("/{id}/responses", status_code=201, response_model=JointCaseOut)
def respond(id: str, body: MeasureIn, caller: Department, ledger: LedgerDep,
            response: Response) -> JointCaseOut:
    """This department's measure; the same measure again is a replay (200)."""
    check_scope(caller, ledger.joint_case(id).domain)
    return written(response, ledger.respond_to_joint_case(id, body, by(caller)))


@router.post("/{id}/closure", status_code=201, response_model=JointCaseOut)
def close(id: str, body: ClosureIn, caller: Department, ledger: LedgerDep,
          response: Response) -> JointCaseOut:
    """Close with feedback, once a department has responded; only the listing's authority."""
    check_scope(caller, ledger.joint_case(id).domain)
    return written(response, ledger.close_joint_case(id, body, by(caller)))


@router.get("/{id}", response_model=JointCaseOut)
def detail(id: str, caller: Annotated[Caller, Depends(authenticated)], ledger: LedgerDep
           ) -> dict[str, Any]:
    """One case: its listing, kind, the measures applied, and its status."""
    return ledger.joint_case(id).public()
