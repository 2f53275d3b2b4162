"""Keyword shortcuts for tests: each builds a use case's command and calls the named method.

Stories predate the commands; these keep them short. The commands are built without their
HTTP validation (model_construct), so a story still reaches the domain's own rules. `decide`
reaches the application's one decide-and-retry helper with an aggregate decision no command
carries (free-form details, a decision racing another writer): every subject use case's path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ledger.application import By, CreditLedger, Receipt, Registration
from ledger.contracts.repairs import (
    AcceptIn,
    ApproveIn,
    ClosureIn,
    CommitmentLinkIn,
    InformIn,
    JointCaseIn,
    MeasureIn,
    RefuseIn,
    RejectIn,
    RepairIn,
    ReportIn,
    TrainingIn,
    WithdrawIn,
)
from ledger.domain.joint_case import JointCase
from ledger.domain.repair import RepairPolicy
from ledger.domain.repair_case import RepairCase
from ledger.domain.subject import Subject

Done = tuple[Receipt, RepairCase]


def decide(ledger: CreditLedger, code: str, fn: Callable[[Subject], Any]) -> tuple[Receipt, Any]:
    """Get the subject, fn(subject), save, retrying on conflict: (receipt, what fn returned)."""
    outcomes: list[Any] = []

    def fact(subject: Subject) -> tuple[int, dict[str, Any]]:
        outcomes.append(fn(subject))
        version = outcomes[-1][0] if isinstance(outcomes[-1], tuple) else outcomes[-1]
        return int(version), {}

    return ledger._on_subject(code, fact), outcomes[-1]


def register(ledger: CreditLedger, *, code: str, name: str, kind: str, masked: str | None,
             authority: str, actor: str, registered_on: date | None = None,
             code_check_failed: bool = False) -> Receipt:
    return ledger.register_subject(
        Registration(code, name, kind, masked, code_check_failed, registered_on),
        By(authority, actor))


def _policy(ledger: CreditLedger, policy: RepairPolicy | None) -> None:
    if policy is not None:
        ledger.policy = policy  # as the desk's policy was passed per call before


def apply(ledger: CreditLedger, *, subject: str, target: str, applied_on: date,
          obligations_performed: bool, by: By, policy: RepairPolicy | None = None,
          evidence: str | None = None, commitment_id: str | None = None,
          target_authority: str | None = None, application_no: str = "") -> Done:
    _policy(ledger, policy)
    return ledger.file_repair(subject, RepairIn.model_construct(
        subject=subject, target=target, target_authority=target_authority,
        applied_on=applied_on, obligations_performed=obligations_performed, evidence=evidence,
        commitment_id=commitment_id, application_no=application_no or None), by)


def accept(ledger: CreditLedger, case_id: str, *, on: date, by: By,
           policy: RepairPolicy | None = None) -> Done:
    _policy(ledger, policy)
    return ledger.accept_repair(case_id, AcceptIn.model_construct(accepted_on=on), by)


def approve(ledger: CreditLedger, case_id: str, *, on: date, by: By,
            policy: RepairPolicy | None = None) -> Done:
    _policy(ledger, policy)
    return ledger.approve_repair(case_id, ApproveIn.model_construct(decided_on=on), by)


def reject(ledger: CreditLedger, case_id: str, *, on: date, reasons: list[str], by: By,
           policy: RepairPolicy | None = None) -> Done:
    _policy(ledger, policy)
    cmd = RejectIn.model_construct(decided_on=on, reasons=reasons)
    return ledger.reject_repair(case_id, cmd, by)


def refuse(ledger: CreditLedger, case_id: str, *, on: date, rule: str, reason: str, by: By
           ) -> Done:
    cmd = RefuseIn.model_construct(refused_on=on, rule=rule, reason=reason)
    return ledger.refuse_repair(case_id, cmd, by)


def link_commitment(ledger: CreditLedger, case_id: str, *, commitment_id: str, by: By) -> Done:
    cmd = CommitmentLinkIn.model_construct(commitment_id=commitment_id)
    return ledger.link_repair_commitment(case_id, cmd, by)


def record_training(ledger: CreditLedger, case_id: str, *, on: date, provider: str,
                    certificate_no: str | None, by: By) -> Done:
    return ledger.record_repair_training(case_id, TrainingIn.model_construct(
        completed_on=on, provider=provider, certificate_no=certificate_no), by)


def submit_report(ledger: CreditLedger, case_id: str, *, issued_on: date, agency: str,
                  report_no: str, conclusion: str | None, by: By) -> Done:
    return ledger.submit_repair_report(case_id, ReportIn.model_construct(
        issued_on=issued_on, agency=agency, report_no=report_no, conclusion=conclusion), by)


def withdraw(ledger: CreditLedger, case_id: str, *, on: date, reason: str | None, by: By
             ) -> Done:
    cmd = WithdrawIn.model_construct(withdrawn_on=on, reason=reason)
    return ledger.withdraw_repair(case_id, cmd, by)


def inform(ledger: CreditLedger, case_id: str, *, on: date, by: By) -> Done:
    return ledger.inform_of_repair(case_id, InformIn.model_construct(informed_on=on), by)


def initiate(ledger: CreditLedger, *, subject: str, listing_id: str, on: date, by: By,
             any_authority: bool = False) -> tuple[Receipt, JointCase]:
    return ledger.open_joint_case(subject, JointCaseIn.model_construct(
        subject=subject, listing_id=listing_id, initiated_on=on),
        By(by.authority, by.actor, any_authority))


def respond(ledger: CreditLedger, case_id: str, *, measure: str, on: date, by: By
            ) -> tuple[Receipt, JointCase]:
    cmd = MeasureIn.model_construct(measure=measure, applied_on=on)
    return ledger.respond_to_joint_case(case_id, cmd, by)


def close(ledger: CreditLedger, case_id: str, *, feedback: str, on: date, by: By,
          any_authority: bool = False) -> tuple[Receipt, JointCase]:
    cmd = ClosureIn.model_construct(feedback=feedback, closed_on=on)
    return ledger.close_joint_case(case_id, cmd, By(by.authority, by.actor, any_authority))
