"""What the report routes share: cutting a report now, and confirming a code (docs/adr/025)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.geography import geography_of
from api.report_sections import NONE, Names
from api.routers.audit import asof_for
from ledger.domain.checkpoint import Checkpoint, key_id
from ledger.domain.report_code import ReportCode, parse
from ledger.runtime import Runtime
from ledger.signing import trusted_keys
from replay import credit_report
from replay.credit_report import Report


def names(runtime: Runtime) -> Names:
    """An authority's name where the catalogue knows it, else its code."""
    catalogue = geography_of(runtime).catalogue
    return lambda code: (catalogue.name_of(code) or code) if code else NONE


def cut_now(runtime: Runtime, subject: str) -> Report:
    """The subject's report at the ledger's head, read on the ledger's today."""
    ledger = runtime.ledger
    return credit_report.cut(asof_for(runtime), subject, ledger.head_position(), ledger.clock())


@dataclass(frozen=True)
class Verified:
    """A code the ledger confirms: the report cut again, and the checkpoint that covers it."""

    report: Report
    checkpoint: dict[str, Any] | None

    def public(self) -> dict[str, Any]:
        code = self.report.code
        return {"code": code.text(), "grouped": code.grouped(), "subject": code.subject,
                "position": code.position, "day": code.day, "confirmed": True,
                "report": self.report.content, "checkpoint": self.checkpoint}


def verify(runtime: Runtime, text: str) -> Verified:
    """BadCode for a code that is not well formed; NotConfirmed for one the ledger does not
    confirm; else the report it stands for."""
    code: ReportCode = parse(text)
    ledger = runtime.ledger
    report = credit_report.confirm(asof_for(runtime), code, head=ledger.head_position(),
                                   today=ledger.clock())
    return Verified(report, covering(runtime, code.position))


def covering(runtime: Runtime, position: int) -> dict[str, Any] | None:
    """The signed checkpoint covering `position`, as the verify page shows it; None if none
    reaches that far yet."""
    found = credit_report.covering(runtime.ledger, position, trusted_keys(runtime.settings))
    if found is None:
        return None
    if not isinstance(found, Checkpoint):
        return {"believed": False, "problem": found}
    return {"believed": True, "problem": None, "position": found.covers,
            "events": found.events, "signed_at": found.body["signed_at"],
            "key_id": key_id(found.body["public_key"]),
            "recorded_at": found.recorded_at}
