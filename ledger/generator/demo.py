"""A first `make run` shows something real: a small generated city in an empty store."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from ledger.application import By, CreditLedger
from ledger.contracts.repairs import ClosureIn, JointCaseIn, MeasureIn
from ledger.domain.errors import DomainError
from ledger.generator.city import generate
from ledger.importing.importer import Importer, ImportReport, records
from ledger.runtime import Runtime

DEMO_SEED = 2019  # the year of the city's credit plan; any fixed seed would do

log = logging.getLogger("credit-ledger.generator.demo")


def load_demo_if_empty(runtime: Runtime) -> ImportReport | None:
    """Import settings.demo_subjects generated subjects if demo is on and the store is empty."""
    settings, ledger = runtime.settings, runtime.ledger
    if not settings.demo or ledger.head_position() > 0:
        return None
    rows = list(records(generate(settings.demo_subjects, DEMO_SEED)))
    key = settings.pseudonym_key.get_secret_value().encode()
    report = Importer(ledger, key=key, actor="demo").run(rows)
    cases = joint_cases(ledger, [obj for _, obj in rows])
    log.info("empty store: loaded a demo city of %d records, %d events, %d joint cases "
             "(LEDGER_DEMO=0 skips this)", report.rows, report.events, cases)
    return report


def joint_cases(ledger: CreditLedger, rows: list[dict[str, Any]]) -> int:
    """Every other red or black listing gets a joint case: another department's measure,
    then the feedback that closes it (so the joint-case indicator reads something real)."""
    listings = [r for r in rows if r.get("record") == "listing"
                and r.get("list") in ("red", "black") and ledger.has_subject(r["subject"])]
    departments = sorted({r["authority"] for r in rows if r.get("record") == "listing"})
    closed = 0
    for row in listings[::2]:
        subject = ledger.subject(row["subject"])
        found = [lid for lid, entry in subject.active_listings(row["list"]).items()
                 if entry["data"]["listed_on"] == row["listed_on"]]
        others = [d for d in departments if d != row["authority"]]
        if not found or not others:
            continue  # ended since (a black listing ends a red one), or no one to respond
        on, by = date.fromisoformat(row["listed_on"]), By(row["authority"], "demo")
        try:
            _, case = ledger.open_joint_case(subject.code, JointCaseIn(
                subject=subject.code, listing_id=found[0], initiated_on=on), by)
            measure = "联合奖惩措施已实施" if row["list"] == "black" else "绿色通道"
            ledger.respond_to_joint_case(case.case_id, MeasureIn(measure=measure, applied_on=on),
                                         By(others[0], "demo"))
            ledger.close_joint_case(case.case_id, ClosureIn(feedback="措施已落实并反馈",
                                                            closed_on=on), by)
        except DomainError as e:  # a demo row the rules refuse is skipped, not fatal
            log.debug("demo joint case skipped: %s", e)
            continue
        closed += 1
    return closed
