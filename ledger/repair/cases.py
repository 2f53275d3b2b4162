"""Credit-repair use cases: file, accept or refuse, the steps between, approve or reject, inform.

Each gets the case (and its subject), decides through the aggregate, saves: the approval and
the end of the penalty's publicity (or the listing) are one save, or nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any
from uuid import UUID

from ledger.contracts.repairs import (
    AcceptIn,
    ApproveIn,
    CommitmentLinkIn,
    InformIn,
    RefuseIn,
    RejectIn,
    RepairIn,
    ReportIn,
    TrainingIn,
    WithdrawIn,
)
from ledger.core import By, Decision, LedgerCore, Receipt
from ledger.domain.errors import Conflict, NotFound
from ledger.domain.repair import Target, check, commitment_failures
from ledger.domain.repair_case import RepairCase, case_stream
from ledger.domain.subject import Subject
from ledger.repair.lookup import case_target, commitment_of, target_of
from ledger.repair.worklist import Worklist, scan_open_case
from ledger.store.sql import dialect_of

Done = tuple[Receipt, RepairCase]
Step = Callable[[RepairCase, Subject], Any]


class RepairCases(LedgerCore):
    """An officer's use cases on repair cases."""

    def repair_case(self, case_id: str | UUID) -> RepairCase:
        return self._get(RepairCase, case_id, "repair case")

    @cached_property
    def worklist(self) -> Worklist | None:
        """The officers' worklist, a side table in the store's database made on first use;
        None on the in-memory store of unit tests (no SQL)."""
        try:
            dialect_of(self.recorder)
        except TypeError:
            return None
        return Worklist(self)

    def open_repair_case(self, code: str, target: Target) -> str | None:
        """The case still open on this target, if any."""
        if self.worklist is None:
            return scan_open_case(self, code, target.kind, target.authority, target.id)
        self.worklist.catch_up()  # a case filed a moment ago counts
        return self.worklist.open_case_for(code, target.kind, target.authority, target.id)

    def file_repair(self, code: str, cmd: RepairIn, by: By) -> Done:
        """File an application; an inadmissible one is recorded as refused, never lost. One
        application at a time: while a case on the target is open, another is a conflict
        (the same one sent again too)."""
        def decide() -> Decision[RepairCase]:
            owner = self.subject(code)
            found = target_of(owner, "", cmd.target, cmd.target_authority)
            if (open_case := self.open_repair_case(code, found)) is not None:
                raise Conflict(f"case {open_case} on this {found.kind} is still open",
                               field="target")
            if cmd.commitment_id is not None:
                if cmd.commitment_id not in owner.commitments:
                    raise NotFound(f"subject {code} has no commitment {cmd.commitment_id}",
                                   field="commitment_id")
                check(commitment_failures(owner.commitments[cmd.commitment_id]))
            key = (f"{code}|{found.kind}|{found.authority}|{found.id}|{cmd.applied_on}|"
                   f"{cmd.application_no or ''}")
            if case_stream(key) in self.repository:  # filed before: answer with that case
                return Decision(self.repair_case(case_stream(key)), 1)
            return Decision(RepairCase.file(
                case_key=key, subject=code, target=found, applied_on=cmd.applied_on,
                obligations_performed=cmd.obligations_performed, evidence=cmd.evidence,
                commitment_id=cmd.commitment_id, policy=self.policy, today=self.clock(),
                **by.kw()))

        return self._decide(f"a repair application of {code}", decide)

    def accept_repair(self, case_id: str, cmd: AcceptIn, by: By) -> Done:
        """Accept an admissible application: the decision is due within N working days."""
        return self._repair_step(case_id, lambda c, s: c.accept(
            target=case_target(c, s), commitment=commitment_of(c, s), on=cmd.accepted_on,
            policy=self.policy, calendar=self.calendar, today=self.clock(), **by.kw()))

    def refuse_repair(self, case_id: str, cmd: RefuseIn, by: By) -> Done:
        return self._repair_step(case_id, lambda c, s: c.refuse(
            rule=cmd.rule, reason=cmd.reason, on=cmd.refused_on, today=self.clock(),
            authority=by.authority, actor=by.actor))

    def link_repair_commitment(self, case_id: str, cmd: CommitmentLinkIn, by: By) -> Done:
        """Link the subject's own repair commitment (a CommitmentMade of type repair)."""
        def decide(case: RepairCase, subject: Subject) -> None:
            commitment = subject.commitments.get(cmd.commitment_id)
            if commitment is None:
                raise NotFound(f"subject {subject.code} has no commitment {cmd.commitment_id}",
                               field="commitment_id")
            case.link_commitment(commitment=commitment, on=self.clock(), **by.kw())

        return self._repair_step(case_id, decide)

    def record_repair_training(self, case_id: str, cmd: TrainingIn, by: By) -> Done:
        return self._repair_step(case_id, lambda c, s: c.complete_training(
            on=cmd.completed_on, provider=cmd.provider, certificate_no=cmd.certificate_no,
            today=self.clock(), **by.kw()))

    def submit_repair_report(self, case_id: str, cmd: ReportIn, by: By) -> Done:
        return self._repair_step(case_id, lambda c, s: c.submit_report(
            issued_on=cmd.issued_on, agency=cmd.agency, report_no=cmd.report_no,
            conclusion=cmd.conclusion, today=self.clock(), **by.kw()))

    def approve_repair(self, case_id: str, cmd: ApproveIn, by: By) -> Done:
        """Approve and end the penalty's publicity or the listing in ONE save."""
        def decide(case: RepairCase, subject: Subject) -> None:
            target = case_target(case, subject)
            case.approve(target=target, commitment=commitment_of(case, subject),
                         on=cmd.decided_on, policy=self.policy, calendar=self.calendar,
                         today=self.clock(), **by.kw())
            if target.kind == "penalty":
                subject.end_penalty_publicity(penalty_authority=target.authority,
                                              decision_no=target.id, ended_on=cmd.decided_on,
                                              reason="repaired", **by.kw())
            else:
                subject.delist_by_repair(listing_id=target.id, case_id=case.case_id,
                                         delisted_on=cmd.decided_on, **by.kw())

        return self._repair_step(case_id, decide, with_subject=True)

    def reject_repair(self, case_id: str, cmd: RejectIn, by: By) -> Done:
        return self._repair_step(case_id, lambda c, s: c.reject(
            reasons=cmd.reasons, on=cmd.decided_on, policy=self.policy, calendar=self.calendar,
            today=self.clock(), **by.kw()))

    def withdraw_repair(self, case_id: str, cmd: WithdrawIn, by: By) -> Done:
        return self._repair_step(case_id, lambda c, s: c.withdraw(
            on=cmd.withdrawn_on, reason=cmd.reason, today=self.clock(), **by.kw()))

    def inform_of_repair(self, case_id: str, cmd: InformIn, by: By) -> Done:
        """Record that the penalising or listing authority was told of the decision."""
        return self._repair_step(case_id, lambda c, s: c.inform(on=cmd.informed_on,
                                                         today=self.clock(), **by.kw()))

    def _repair_step(self, case_id: str, decide: Step, *, with_subject: bool = False) -> Done:
        """Get the case and its subject, decide; the subject is saved too when it changes."""
        def decision() -> Decision[RepairCase]:
            case = self.repair_case(case_id)
            subject = self.subject(case.subject)
            decide(case, subject)
            return Decision(case, also=(subject,) if with_subject else ())

        return self._decide(f"repair case {case_id}", decision)
