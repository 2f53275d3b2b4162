"""What the repair routers share: the officer, their domain scope, the worklist and policy."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Response

from api.auth import Caller
from api.deps import Officer, RuntimeDep
from api.repair_schemas import RepairWritten, StepReceipt
from ledger.application import CreditLedger, Receipt
from ledger.domain.errors import Forbidden
from ledger.domain.repair import RepairPolicy, provisional
from ledger.domain.repair_case import RepairCase
from ledger.domain.resident_id import pseudonym, validate_resident_id
from ledger.domain.uscc import CodeError
from ledger.domain.vocabulary import RepairStatus
from ledger.identity import path_code
from ledger.repair.worklist import Worklist

_lock = threading.Lock()


@dataclass(frozen=True)
class Desk:
    """An officer's desk: the ledger, the worklist and the repair policy of this process."""

    ledger: CreditLedger
    worklist: Worklist
    policy: RepairPolicy
    pseudonym_key: bytes

    def subject_code(self, raw: str) -> str:
        """A USCC or pseudonym as given; a resident ID number becomes its pseudonym."""
        raw = raw.strip()
        if len(raw) == 18 and raw[:17].isdigit():
            try:
                return pseudonym(validate_resident_id(raw), self.pseudonym_key)
            except CodeError:
                pass  # not a valid resident ID: a USCC made of digits, perhaps
        return path_code(raw)


def desk(runtime: RuntimeDep) -> Desk:
    with _lock:  # built once per process, on first use
        if "repair_desk" not in runtime.extras:
            key = runtime.settings.pseudonym_key.get_secret_value().encode()
            worklist = runtime.ledger.worklist  # the one file_repair asks
            assert worklist is not None, "the API's store is SQLite or PostgreSQL"
            runtime.extras["repair_desk"] = Desk(runtime.ledger, worklist,
                                                 runtime.ledger.policy, key)
    found: Desk = runtime.extras["repair_desk"]
    return found


def acting_officer(caller: Officer) -> Caller:
    """An officer (or admin) whose token names the department they act for."""
    if not caller.authority:
        raise HTTPException(403, "this token names no authority to act under")
    return caller


DeskDep = Annotated[Desk, Depends(desk)]
Acting = Annotated[Caller, Depends(acting_officer)]


def check_scope(caller: Caller, domain: str) -> None:
    """An officer scoped to domains may touch only cases in them (no domains: all)."""
    if caller.domains and domain not in caller.domains:
        raise Forbidden(f"this officer works on {', '.join(sorted(caller.domains))}, "
                        f"not {domain}")


def public(case: RepairCase, ledger: CreditLedger) -> dict[str, Any]:
    """A case as officers read it, with its deadlines as of the ledger's today."""
    return {"id": str(case.id), "subject": case.subject, "target_kind": case.target_kind,
            "target_id": case.target_id, "target_authority": case.target_authority,
            "domain": case.domain, "list": case.list_name, "status": case.status.value,
            "applied_on": case.applied_on, "accepted_on": case.accepted_on,
            "decision_due": case.decision_due, "decided_on": case.decided_on,
            "notify_due": case.notify_due, "informed_on": case.informed_on,
            "due_on": case.due_on(), "overdue": case.is_overdue(ledger.clock()),
            "provisional": provisional(ledger.calendar, (case.accepted_on, case.decision_due),
                                       (case.decided_on, case.notify_due))}


def written(d: Desk, response: Response, done: tuple[Receipt, RepairCase]) -> RepairWritten:
    """201 when this step was recorded now, 200 for a replay; the worklist follows at once."""
    receipt, case = done
    d.worklist.catch_up()
    response.status_code = 201 if receipt.created else 200
    return RepairWritten(**public(case, d.ledger), failures=failures(d, case),
                         receipt=StepReceipt(position=receipt.position, version=receipt.version,
                                             type=receipt.type, hash=receipt.hash))


def failures(d: Desk, case: RepairCase) -> list[dict[str, str]]:
    if case.status != RepairStatus.REFUSED:
        return []
    last: Any = next(iter(d.ledger.events.get(case.id, desc=True, limit=1)))
    return list(last.data.get("failures", []))


def in_scope(d: Desk, caller: Caller, case_id: str) -> str:
    """The case's id, once the officer is known to work in its domain."""
    check_scope(caller, d.ledger.repair_case(case_id).domain)
    return case_id
