"""The RepairCase aggregate: one application to repair one penalty's publicity or one listing."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.domain import repair_events as ev
from ledger.domain.aggregate import LedgerAggregate
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.dates import check_not_future
from ledger.domain.errors import DateRuleViolation, Forbidden, WrongState
from ledger.domain.events import LedgerEvent, stream_id
from ledger.domain.repair import (
    Failure,
    RepairPolicy,
    RepairRuleBroken,
    Target,
    admissibility_failures,
    check,
    commitment_failures,
    due_after,
    overdue,
)
from ledger.domain.vocabulary import RepairStatus

OPEN = (RepairStatus.APPLIED, RepairStatus.ACCEPTED)


class SameOfficer(Forbidden):
    """Four eyes: the officer who accepted a case may not also decide it."""

    rule = "four_eyes"


def case_stream(case_key: str) -> UUID:
    return stream_id("repair", case_key)


class RepairCase(LedgerAggregate):
    """A repair case: applied, then refused, or accepted and approved/rejected; or withdrawn."""

    subject: str
    case_id: str
    target_kind: str
    target_id: str
    target_authority: str
    domain: str
    list_name: str | None
    severity: str | None
    applied_on: str
    obligations_performed: bool
    status: RepairStatus

    def __init__(self) -> None:
        super().__init__()  # RepairApplied fills in the target; these change later
        self.status = RepairStatus.APPLIED
        self.commitment_id: str | None = None
        self.accepted_on: str | None = None
        self.accepted_by: str | None = None  # the accepting officer (actor), for four eyes
        self.decision_due: str | None = None
        self.decided_on: str | None = None
        self.notify_due: str | None = None
        self.informed_on: str | None = None
        self.trainings = self.reports = 0

    @classmethod
    def file(
        cls, *, case_key: str, subject: str, target: Target, applied_on: date,
        obligations_performed: bool, evidence: str | None, commitment_id: str | None,
        policy: RepairPolicy, authority: str, actor: str, today: date,
    ) -> RepairCase:
        """Record the application; if it is inadmissible, record the refusal in the same save."""
        check_not_future(today, applied_on=applied_on)
        cid = case_stream(case_key)
        case = cls._start(ev.RepairApplied, cid, subject=subject, on=applied_on,
                          authority=authority, actor=actor, case_id=str(cid),
                          target_kind=target.kind, target_id=target.id,
                          target_authority=target.authority, domain=target.domain,
                          list=target.list, severity=target.severity, applied_on=applied_on,
                          obligations_performed=obligations_performed, evidence=evidence,
                          commitment_id=commitment_id)
        failures = admissibility_failures(target, on=applied_on,
                                          obligations_performed=obligations_performed,
                                          policy=policy)
        if failures:
            case.refuse(rule=failures[0].rule, reason=failures[0].message, on=applied_on,
                        authority=authority, actor=actor, today=today, failures=failures)
        return case

    # -- the officer's steps ------------------------------------------------

    def refuse(self, *, rule: str, reason: str, on: date, authority: str, actor: str,
               today: date, failures: list[Failure] | None = None) -> int:
        self._check_status("refuse", RepairStatus.APPLIED)
        self._check_dates(today, refused_on=on)
        listed = [{"rule": f.rule, "message": f.message} for f in failures or []]
        return self._step(ev.RepairRefused, on, authority, actor, refused_on=on, rule=rule,
                          reason=reason,
                          failures=listed or [{"rule": rule, "message": reason}])

    def accept(self, *, target: Target, commitment: dict[str, Any] | None, on: date,
               policy: RepairPolicy, calendar: WorkingCalendar, authority: str, actor: str,
               today: date) -> int:
        self._check_status("accept", RepairStatus.APPLIED)
        self._check_dates(today, accepted_on=on)
        check(self.failures(target, commitment, on, policy))
        return self._step(ev.RepairAccepted, on, authority, actor, accepted_on=on,
                          decision_due=due_after(on, policy.decision_days, calendar))

    def link_commitment(self, *, commitment: dict[str, Any], authority: str, actor: str,
                        on: date) -> int:
        self._check_status("link a commitment to", *OPEN)
        check(commitment_failures(commitment))
        cid = commitment["data"]["commitment_id"]
        if cid == self.commitment_id:
            return self.version
        return self._step(ev.RepairCommitmentLinked, on, authority, actor, commitment_id=cid,
                          made_on=date.fromisoformat(commitment["data"]["made_on"]))

    def complete_training(self, *, on: date, provider: str, certificate_no: str | None,
                          authority: str, actor: str, today: date) -> int:
        self._check_status("record training for", *OPEN)
        check_not_future(today, completed_on=on)
        return self._step(ev.RepairTrainingCompleted, on, authority, actor, completed_on=on,
                          provider=provider, certificate_no=certificate_no)

    def submit_report(self, *, issued_on: date, agency: str, report_no: str,
                      conclusion: str | None, authority: str, actor: str, today: date) -> int:
        self._check_status("attach a report to", *OPEN)
        check_not_future(today, issued_on=issued_on)
        return self._step(ev.RepairReportSubmitted, issued_on, authority, actor,
                          issued_on=issued_on, agency=agency, report_no=report_no,
                          conclusion=conclusion)

    def approve(self, *, target: Target, commitment: dict[str, Any] | None, on: date,
                policy: RepairPolicy, calendar: WorkingCalendar, authority: str, actor: str,
                today: date) -> int:
        """Approve; the caller ends the target's publicity or listing in the same save."""
        self._check_status("approve", RepairStatus.ACCEPTED)
        self._check_four_eyes("approve", actor, policy)
        self._check_dates(today, decided_on=on)
        check(self.failures(target, commitment, on, policy))
        return self._step(ev.RepairApproved, on, authority, actor,
                          **self._decision(on, policy, calendar))

    def reject(self, *, reasons: list[str], on: date, policy: RepairPolicy,
               calendar: WorkingCalendar, authority: str, actor: str, today: date) -> int:
        self._check_status("reject", RepairStatus.ACCEPTED)
        self._check_four_eyes("reject", actor, policy)
        self._check_dates(today, decided_on=on)
        if not [r for r in reasons if r.strip()]:
            raise RepairRuleBroken("reasons_required", "a rejection states its reasons",
                                   field="reasons")
        return self._step(ev.RepairRejected, on, authority, actor, reasons=reasons,
                          **self._decision(on, policy, calendar))

    def withdraw(self, *, on: date, reason: str | None, authority: str, actor: str,
                 today: date) -> int:
        self._check_status("withdraw", *OPEN)
        self._check_dates(today, withdrawn_on=on)
        return self._step(ev.RepairWithdrawn, on, authority, actor, withdrawn_on=on,
                          reason=reason)

    def inform(self, *, on: date, authority: str, actor: str, today: date) -> int:
        self._check_status("inform the authority of", RepairStatus.APPROVED,
                           RepairStatus.REJECTED)
        if self.informed_on is not None:
            raise WrongState(f"case {self.case_id}: the authority was informed on "
                             f"{self.informed_on}")
        self._check_dates(today, informed_on=on)
        assert self.notify_due is not None
        return self._step(ev.RepairAuthorityInformed, on, authority, actor, informed_on=on,
                          informed=self.target_authority,
                          late=on > date.fromisoformat(self.notify_due))

    # -- reading ---------------------------------------------------------------

    def failures(self, target: Target, commitment: dict[str, Any] | None, on: date,
                 policy: RepairPolicy) -> list[Failure]:
        """Every rule that approval (or acceptance) on `on` would break."""
        return admissibility_failures(target, on=on, policy=policy,
                                      obligations_performed=self.obligations_performed
                                      ) + commitment_failures(commitment)

    def due_on(self) -> str | None:
        """The next open deadline: the decision, then informing the authority."""
        if self.status == RepairStatus.ACCEPTED:
            return self.decision_due
        if (self.status in (RepairStatus.APPROVED, RepairStatus.REJECTED)
                and self.informed_on is None):
            return self.notify_due
        return None

    def is_overdue(self, today: date) -> bool:
        due = self.due_on()
        return overdue(date.fromisoformat(due) if due else None, today)

    # -- helpers ---------------------------------------------------------------

    def _decision(self, on: date, policy: RepairPolicy, calendar: WorkingCalendar
                  ) -> dict[str, Any]:
        assert self.decision_due is not None
        due = date.fromisoformat(self.decision_due)
        return {"decided_on": on, "decision_due": due, "late": on > due,
                "notify_due": due_after(on, policy.notify_days, calendar),
                "commitment_id": self.commitment_id}

    def envelope_subject(self) -> str:
        return self.subject

    def _check_status(self, action: str, *allowed: RepairStatus) -> None:
        if self.status not in allowed:
            raise WrongState(f"cannot {action} case {self.case_id}: it is {self.status}")

    def _check_four_eyes(self, action: str, actor: str, policy: RepairPolicy) -> None:
        if policy.four_eyes and actor == self.accepted_by:
            raise SameOfficer(f"four-eyes rule: {actor} accepted case {self.case_id} and may "
                              f"not {action} it; another officer decides")

    def _check_dates(self, today: date, **dates: date) -> None:
        check_not_future(today, **dates)
        for name, value in dates.items():
            earlier = self.decided_on or self.accepted_on or self.applied_on
            if value < date.fromisoformat(earlier):
                raise DateRuleViolation(f"{name} {value} is before {earlier}, the case's "
                                        "last step", field=name)

    def _step(self, event_class: type[LedgerEvent], on: date, authority: str, actor: str,
              **payload: Any) -> int:
        """Record a step; its data repeats the case's target."""
        return self._record(event_class, on, authority, actor, case_id=self.case_id,
                            target_kind=self.target_kind, target_id=self.target_id,
                            target_authority=self.target_authority, domain=self.domain,
                            list=self.list_name, severity=self.severity, **payload)
