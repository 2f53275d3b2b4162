"""Joint reward/punishment use cases over the CreditLedger: find the case, decide, save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from ledger.application import CreditLedger, Receipt
from ledger.domain.errors import Conflict, NotFound
from ledger.domain.joint_case import JointCase, joint_stream
from ledger.repair_lookup import By, receipt, receipt_for

Done = tuple[Receipt, JointCase]


def get_joint_case(ledger: CreditLedger, case_id: str | UUID) -> JointCase:
    try:
        case: Any = ledger.repository.get(UUID(str(case_id)))
    except (AggregateNotFoundError, ValueError):
        case = None
    if not isinstance(case, JointCase):
        raise NotFound(f"no joint case {case_id}", field="id")
    return case


def initiate(ledger: CreditLedger, *, subject: str, listing_id: str, on: date, by: By,
             any_authority: bool = False) -> Done:
    """Open the joint case of a listing; asking again answers with the case already open."""
    owner = ledger.subject(subject)
    if listing_id not in owner.listings:
        raise NotFound(f"subject {subject} has no listing {listing_id}", field="listing_id")
    # Before the replay below: only the listing's authority learns of its case this way.
    JointCase.check_opener(owner.listings[listing_id], by.authority, any_authority)
    if joint_stream(subject, listing_id) in ledger.repository:
        existing = get_joint_case(ledger, joint_stream(subject, listing_id))
        return receipt_for(ledger, existing, 1), existing
    case = JointCase.initiate(subject=subject, listing=owner.listings[listing_id], on=on,
                              today=ledger.clock(), any_authority=any_authority, **by.kw())
    try:
        recordings = ledger.save(case)
    except IntegrityError:  # initiated concurrently: answer with that case
        existing = get_joint_case(ledger, case.id)
        return receipt_for(ledger, existing, 1), existing
    return receipt(recordings, case), case


def step(ledger: CreditLedger, case_id: str, decide: Callable[[JointCase], int | None]
         ) -> Done:
    """Get the case, decide, save; decide again on fresh state if another writer came first.

    `decide` may name the version that already holds its step (a replay): that is answered.
    """
    for _ in range(ledger.conflict_retries + 1):
        case = get_joint_case(ledger, case_id)
        version = decide(case)
        if not case.pending_events:
            return receipt_for(ledger, case, version or case.version), case
        try:
            return receipt(ledger.save(case), case), case
        except IntegrityError:
            continue
    raise Conflict(f"joint case {case_id} is being written concurrently; retry the request")


def respond(ledger: CreditLedger, case_id: str, *, measure: str, on: date, by: By) -> Done:
    return step(ledger, case_id, lambda c: c.respond(measure=measure, on=on,
                                                     today=ledger.clock(), **by.kw()))


def close(ledger: CreditLedger, case_id: str, *, feedback: str, on: date, by: By,
          any_authority: bool = False) -> Done:
    return step(ledger, case_id, lambda c: c.close(feedback=feedback, on=on,
                                                   today=ledger.clock(),
                                                   any_authority=any_authority, **by.kw()))
