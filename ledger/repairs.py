"""Credit-repair use cases over the CreditLedger: get the case (and subject), decide, save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.application import CreditLedger, Receipt
from ledger.domain.errors import Conflict, NotFound
from ledger.domain.repair import RepairPolicy, check, commitment_failures
from ledger.domain.repair_case import RepairCase, case_stream
from ledger.domain.subject import Subject
from ledger.repair_lookup import (
    By,
    case_target,
    commitment_of,
    get_case,
    receipt,
    receipt_for,
    target_of,
)

Step = Callable[[RepairCase, Subject], Any]
Done = tuple[Receipt, RepairCase]


def apply(
    ledger: CreditLedger, *, subject: str, target: str, applied_on: date,
    obligations_performed: bool, by: By, policy: RepairPolicy,
    evidence: str | None = None, commitment_id: str | None = None,
    target_authority: str | None = None, application_no: str = "",
) -> Done:
    """File an application; an inadmissible one is recorded as refused, never lost."""
    owner = ledger.subject(subject)
    found = target_of(owner, "", target, target_authority)
    if commitment_id is not None:
        if commitment_id not in owner.commitments:
            raise NotFound(f"subject {subject} has no commitment {commitment_id}",
                           field="commitment_id")
        check(commitment_failures(owner.commitments[commitment_id]))
    key = f"{subject}|{found.kind}|{found.authority}|{found.id}|{applied_on}|{application_no}"
    if case_stream(key) in ledger.repository:
        existing = get_case(ledger, case_stream(key))
        return receipt_for(ledger, existing, 1), existing
    case = RepairCase.file(
        case_key=key, subject=subject, target=found, applied_on=applied_on,
        obligations_performed=obligations_performed, evidence=evidence,
        commitment_id=commitment_id, policy=policy, today=ledger.clock(), **by.kw())
    try:
        recordings = ledger.save(case)
    except IntegrityError:  # the same application, filed concurrently: answer with it
        existing = get_case(ledger, case.id)
        return receipt_for(ledger, existing, 1), existing
    return receipt(recordings, case), case


def step(ledger: CreditLedger, case_id: str, decide: Step, *, with_subject: bool = False
         ) -> Done:
    """Get the case (and its subject), decide, save both at once; decide again on conflict."""
    for _ in range(ledger.conflict_retries + 1):
        case = get_case(ledger, case_id)
        subject = ledger.subject(case.subject)
        decide(case, subject)
        if not case.pending_events:
            return receipt_for(ledger, case, case.version), case
        try:
            recordings = ledger.save(case, subject) if with_subject else ledger.save(case)
        except IntegrityError:
            continue  # another writer saved the case or the subject first
        return receipt(recordings, case), case
    raise Conflict(f"repair case {case_id} is being written concurrently; retry the request")


def accept(ledger: CreditLedger, case_id: str, *, on: date, by: By, policy: RepairPolicy
           ) -> Done:
    """Accept an admissible application: the decision is due within N working days."""
    return step(ledger, case_id, lambda c, s: c.accept(
        target=case_target(c, s), commitment=commitment_of(c, s), on=on, policy=policy,
        calendar=ledger.calendar, today=ledger.clock(), **by.kw()))


def approve(ledger: CreditLedger, case_id: str, *, on: date, by: By, policy: RepairPolicy
            ) -> Done:
    """Approve and end the penalty's publicity or the listing in ONE save, or change nothing."""

    def decide(case: RepairCase, subject: Subject) -> None:
        target = case_target(case, subject)
        case.approve(target=target, commitment=commitment_of(case, subject), on=on,
                     policy=policy, calendar=ledger.calendar, today=ledger.clock(), **by.kw())
        if target.kind == "penalty":
            subject.end_penalty_publicity(penalty_authority=target.authority,
                                          decision_no=target.id, ended_on=on,
                                          reason="repaired", **by.kw())
        else:
            subject.delist_by_repair(listing_id=target.id, case_id=case.case_id,
                                     delisted_on=on, **by.kw())

    return step(ledger, case_id, decide, with_subject=True)


def reject(ledger: CreditLedger, case_id: str, *, on: date, reasons: list[str], by: By,
           policy: RepairPolicy) -> Done:
    return step(ledger, case_id, lambda c, s: c.reject(
        reasons=reasons, on=on, policy=policy, calendar=ledger.calendar, today=ledger.clock(),
        **by.kw()))


def refuse(ledger: CreditLedger, case_id: str, *, on: date, rule: str, reason: str, by: By
           ) -> Done:
    return step(ledger, case_id, lambda c, s: c.refuse(
        rule=rule, reason=reason, on=on, today=ledger.clock(), authority=by.authority,
        actor=by.actor))


def link_commitment(ledger: CreditLedger, case_id: str, *, commitment_id: str, by: By) -> Done:
    """Link the subject's own repair commitment (a CommitmentMade of type repair)."""

    def decide(case: RepairCase, subject: Subject) -> None:
        commitment = subject.commitments.get(commitment_id)
        if commitment is None:
            raise NotFound(f"subject {subject.code} has no commitment {commitment_id}",
                           field="commitment_id")
        case.link_commitment(commitment=commitment, on=ledger.clock(), **by.kw())

    return step(ledger, case_id, decide)


def record_training(ledger: CreditLedger, case_id: str, *, on: date, provider: str,
                    certificate_no: str | None, by: By) -> Done:
    return step(ledger, case_id, lambda c, s: c.complete_training(
        on=on, provider=provider, certificate_no=certificate_no, today=ledger.clock(),
        **by.kw()))


def submit_report(ledger: CreditLedger, case_id: str, *, issued_on: date, agency: str,
                  report_no: str, conclusion: str | None, by: By) -> Done:
    return step(ledger, case_id, lambda c, s: c.submit_report(
        issued_on=issued_on, agency=agency, report_no=report_no, conclusion=conclusion,
        today=ledger.clock(), **by.kw()))


def withdraw(ledger: CreditLedger, case_id: str, *, on: date, reason: str | None, by: By
             ) -> Done:
    return step(ledger, case_id, lambda c, s: c.withdraw(
        on=on, reason=reason, today=ledger.clock(), **by.kw()))


def inform(ledger: CreditLedger, case_id: str, *, on: date, by: By) -> Done:
    """Record that the penalising or listing authority was told of the decision."""
    return step(ledger, case_id, lambda c, s: c.inform(on=on, today=ledger.clock(),
                                                       **by.kw()))


