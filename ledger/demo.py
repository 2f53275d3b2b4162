"""A first `make run` shows something real: a small generated city in an empty store."""

from __future__ import annotations

import logging

from ledger.generator import generate
from ledger.importer import Importer, ImportReport, records
from ledger.runtime import Runtime

DEMO_SEED = 2019  # the year of the city's credit plan; any fixed seed would do

log = logging.getLogger("credit-ledger.demo")


def load_demo_if_empty(runtime: Runtime) -> ImportReport | None:
    """Import settings.demo_subjects generated subjects if demo is on and the store is empty."""
    settings, ledger = runtime.settings, runtime.ledger
    if not settings.demo or ledger.head_position() > 0:
        return None
    rows = list(records(generate(settings.demo_subjects, DEMO_SEED)))
    key = settings.pseudonym_key.get_secret_value().encode()
    report = Importer(ledger, key=key, actor="demo").run(rows)
    log.info("empty store: loaded a demo city of %d records, %d events (LEDGER_DEMO=0 skips "
             "this)", report.rows, report.events)
    return report
