"""Civil servants' rows of an import: decided after the file's subjects are stored.

A civil servant's file is its own aggregate (not a subject the importer holds), its name goes
to a side table, and its employing body must be registered first: so these rows go, one use
case each, through the application once the subjects' rows are saved. In an all-or-nothing
import they are decided only if the rest is stored; a rule they break rejects that row alone.
Civil servants are a few hundred in a city, not hundreds of thousands of subjects.
"""

from __future__ import annotations

from typing import Any

from ledger.application import By, CreditLedger
from ledger.domain.errors import DomainError
from ledger.importing.report import ImportReport
from ledger.importing.rows import Row


def apply_civil(ledger: CreditLedger, rows: list[Row], actor: str, report: ImportReport
                ) -> int:
    """Decide each row through the application's use cases; the events stored."""
    stored = 0
    for row in rows:
        by = By(row.authority, actor)
        try:
            if row.record == "civil_servant":
                receipt = ledger.register_civil_servant(row.outcome["registration"], by)
            else:
                body: Any = row.body
                receipt = ledger.record_on_civil_servant(row.subject, body, by)
        except DomainError as e:
            report.reject(row.line, e)
            continue
        stored += receipt.created
    return stored
