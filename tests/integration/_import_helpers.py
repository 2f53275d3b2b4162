"""Bulk import stories' shared cast: the importing authority, its key, one enterprise, and
helpers that write a file, import it and read back what was stored (test_import_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from ledger.application import CreditLedger
from ledger.domain.uscc import make_uscc
from ledger.importing.importer import ImportReport, import_file
from ledger.store.notifications import envelope_from_notification

KEY = b"import-test-key"
MARKET = make_uscc("1", "1", "211100", "00000770")
ACME = make_uscc("9", "1", "211103", "MA0QWERT")

Ledgers = Callable[..., CreditLedger]


def write_ndjson(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n"
                              for r in records))
    return path


def run(ledger: CreditLedger, path: Path, **kwargs: Any) -> ImportReport:
    return import_file(ledger, path, key=KEY, authority=MARKET, **kwargs)


def stored(ledger: CreditLedger) -> list[dict[str, Any]]:
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [envelope_from_notification(n) for n in notifications]


def penalty(decision_no: str, **changes: Any) -> dict[str, Any]:
    return {"record": "penalty", "subject": ACME, "decision_no": decision_no,
            "severity": "general", "domain": "price", "decided_on": "2026-05-06",
            "published_on": "2026-05-08", "category": "罚款", "basis": "《价格法》第39条"} | changes
