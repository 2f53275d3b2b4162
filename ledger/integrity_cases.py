"""The use cases of a government's own defaults and of third-party credit reports.

As for every fact about a subject (ledger/subject_cases.py), each decision is a function of
the subject, the command, who records and the rules of the day, shared by the application's
methods and the importer.
"""

from __future__ import annotations

from ledger.contracts.integrity import CreditReportIn, GovernmentDefaultIn, RectificationIn
from ledger.core import By, Receipt, Rules
from ledger.domain.subject import Subject
from ledger.subject_cases import Fact, SubjectCases


def record_government_default(s: Subject, cmd: GovernmentDefaultIn, by: By, rules: Rules
                              ) -> tuple[int, str]:
    return s.record_government_default(
        kind=cmd.kind.value, creditor=cmd.creditor, amount=cmd.amount,
        recorded_on=cmd.recorded_on, deadline=cmd.deadline, basis=cmd.basis,
        today=rules.today, authority=by.authority, actor=by.actor)


def rectify_government_default(s: Subject, default_id: str, cmd: RectificationIn, by: By,
                               rules: Rules) -> int:
    return s.rectify_government_default(
        default_id=default_id, rectified_on=cmd.rectified_on, evidence=cmd.evidence,
        today=rules.today, any_authority=by.any_authority, authority=by.authority,
        actor=by.actor)


def record_credit_report(s: Subject, cmd: CreditReportIn, by: By, rules: Rules) -> int:
    return s.record_credit_report(
        agency=cmd.agency, report_no=cmd.report_no, issued_on=cmd.issued_on,
        conclusion=cmd.conclusion, today=rules.today, authority=by.authority, actor=by.actor)


class IntegrityCases(SubjectCases):
    """Government defaults and their rectification; third-party credit reports."""

    def record_government_default(self, code: str, cmd: GovernmentDefaultIn, by: By
                                  ) -> Receipt:
        def decide(s: Subject) -> Fact:
            version, default_id = record_government_default(s, cmd, by, self.rules())
            return version, {"default_id": default_id}

        return self._on_subject(code, decide)

    def rectify_government_default(self, code: str, default_id: str, cmd: RectificationIn,
                                   by: By) -> Receipt:
        def decide(s: Subject) -> Fact:
            version = rectify_government_default(s, default_id, cmd, by, self.rules())
            in_time = s.government_defaults[default_id]["rectification"]["in_time"]
            return version, {"default_id": default_id, "in_time": in_time}

        return self._on_subject(code, decide)

    def record_credit_report(self, code: str, cmd: CreditReportIn, by: By) -> Receipt:
        return self._on_subject(code, lambda s: (
            record_credit_report(s, cmd, by, self.rules()), {}))
