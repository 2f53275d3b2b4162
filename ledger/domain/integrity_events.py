"""The facts of a government's own integrity and of third-party reports, recorded on a subject.

Government defaults (政务失信: arrears owed to enterprises, agreements not honoured, judgements
not executed) and their rectification, and third-party credit reports (第三方信用报告) on any
subject. State keeps each fact's `data` (its wire form); older subjects have none of these
sections, so each is made on its first fact (the replay's fold builds the same state).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.events import LedgerEvent
from ledger.domain.payload import Field
from ledger.domain.subject_events import remember
from ledger.domain.vocabulary import GovernmentDefaultKind, GovernmentDefaultStatus


def section(s: Any, name: str) -> dict[str, dict[str, Any]]:
    """One of a subject's sections of these facts, made on its first fact."""
    found: dict[str, dict[str, Any]] = vars(s).setdefault(name, {})
    return found


def report_key(agency: str, report_no: str) -> str:
    """Report numbers are unique per agency."""
    return f"{agency}|{report_no}"


class GovernmentDefaultRecorded(LedgerEvent):
    default_id = Field(str)
    kind = Field(GovernmentDefaultKind)
    creditor = Field(str)
    amount = Field(str, optional=True)  # yuan to the fen, a decimal string
    recorded_on = Field(date)
    deadline = Field(date)  # by which it is to be rectified
    basis = Field(str)

    def evolve(self, s: Any) -> None:
        section(s, "government_defaults")[self.default_id] = {
            "data": self.data, "status": GovernmentDefaultStatus.OPEN,
            "authority": self.authority}
        remember(s, "default|" + self.default_id, self)


class GovernmentDefaultRectified(LedgerEvent):
    default_id = Field(str)
    rectified_on = Field(date)
    evidence = Field(str)
    in_time = Field(bool)  # on or before the deadline

    def evolve(self, s: Any) -> None:
        entry = section(s, "government_defaults")[self.default_id]
        entry["status"], entry["rectification"] = GovernmentDefaultStatus.RECTIFIED, self.data
        remember(s, "rectification|" + self.default_id, self)


class CreditReportRecorded(LedgerEvent):
    """A credit report a third-party agency issued on the subject (plan §13)."""

    agency = Field(str)
    report_no = Field(str)
    issued_on = Field(date)
    conclusion = Field(str)

    def evolve(self, s: Any) -> None:
        k = report_key(self.agency, self.report_no)
        section(s, "credit_reports")[k] = {"data": self.data, "authority": self.authority}
        remember(s, "report|" + k, self)
