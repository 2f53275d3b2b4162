"""A subject's government defaults and third-party credit reports: the rules for recording them.

`Subject` (ledger/domain/subject.py) inherits these beside its list rules. A default is
recorded only on a government body or public institution; it is rectified by the authority
that recorded it (or an admin), once, on or after the day it was recorded. A third-party
report may be recorded on any subject, once per agency and report number.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain import integrity_events as ev
from ledger.domain.dates import check_not_future
from ledger.domain.errors import DateRuleViolation, NotFound, RuleViolation
from ledger.domain.events import uuid5_text
from ledger.domain.subject_lists import SubjectState
from ledger.domain.vocabulary import GOVERNMENT_KINDS


class NotGovernment(RuleViolation):
    """Government defaults are the government's own: its organs and public institutions."""

    rule = "government_only"


class SubjectIntegrity(SubjectState):
    """Government defaults (政务失信) and third-party credit reports of one subject."""

    def __init__(self) -> None:  # its own, or the library makes one from the annotations
        super().__init__()

    def _section(self, name: str) -> dict[str, dict[str, Any]]:
        return ev.section(self, name)

    @property
    def government_defaults(self) -> dict[str, dict[str, Any]]:
        """default_id -> data, status, authority (and the rectification's data)."""
        return self._section("government_defaults")

    @property
    def credit_reports(self) -> dict[str, dict[str, Any]]:
        """agency|report_no -> data, authority."""
        return self._section("credit_reports")

    def record_government_default(
        self, *, kind: str, creditor: str, amount: Decimal | None, recorded_on: date,
        deadline: date, basis: str, authority: str, actor: str, today: date,
    ) -> tuple[int, str]:
        if self.kind not in GOVERNMENT_KINDS:
            raise NotGovernment(
                f"a government default is recorded only on a government body or a public "
                f"institution; subject {self.code} is registered as {self.kind}", field="code")
        check_not_future(today, recorded_on=recorded_on)
        if deadline < recorded_on:
            raise DateRuleViolation(f"deadline {deadline} is before recorded_on {recorded_on}",
                                    field="deadline")
        default_id = uuid5_text(self.id.bytes, f"{authority}|{kind}|{creditor}|{recorded_on}")
        version = self._record_once(
            f"default|{default_id}", ev.GovernmentDefaultRecorded, recorded_on, authority,
            actor, default_id=default_id, kind=kind, creditor=creditor,
            amount=None if amount is None else f"{amount:.2f}", recorded_on=recorded_on,
            deadline=deadline, basis=basis)
        return version, default_id

    def find_government_default(self, *, authority: str, default_id: str | None = None,
                                kind: str | None = None, creditor: str | None = None,
                                recorded_on: date | None = None) -> str:
        """A default's id, given it or what identifies it (as a department's file names it)."""
        if default_id is None:
            default_id = uuid5_text(self.id.bytes,
                                    f"{authority}|{kind}|{creditor}|{recorded_on}")
        if default_id not in self.government_defaults:
            raise NotFound(f"subject {self.code} has no such government default by authority "
                           f"{authority}", field="default_id")
        return default_id

    def rectify_government_default(
        self, *, default_id: str, rectified_on: date, evidence: str, authority: str,
        actor: str, today: date, any_authority: bool = False,
    ) -> int:
        check_not_future(today, rectified_on=rectified_on)
        entry = self._owned_entry("government default", self.government_defaults, default_id,
                                  "id", authority, "record its rectification", any_authority)
        data = entry["data"]
        if rectified_on < date.fromisoformat(data["recorded_on"]):
            raise DateRuleViolation(f"rectified_on {rectified_on} is before recorded_on "
                                    f"{data['recorded_on']}", field="rectified_on")
        # The same rectification again is a no-op; another one is a conflict (_record_once).
        return self._record_once(
            f"rectification|{default_id}", ev.GovernmentDefaultRectified, rectified_on,
            authority, actor, default_id=default_id, rectified_on=rectified_on,
            evidence=evidence, in_time=rectified_on.isoformat() <= data["deadline"])

    def record_credit_report(
        self, *, agency: str, report_no: str, issued_on: date, conclusion: str, authority: str,
        actor: str, today: date,
    ) -> int:
        check_not_future(today, issued_on=issued_on)
        return self._record_once(
            f"report|{ev.report_key(agency, report_no)}", ev.CreditReportRecorded, issued_on,
            authority, actor, agency=agency, report_no=report_no, issued_on=issued_on,
            conclusion=conclusion)

