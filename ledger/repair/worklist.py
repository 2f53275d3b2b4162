"""The officers' worklist: one row per repair case, oldest due first, overdue on demand.

A side table in the store's database (ledger/store/sidetables.py) that follows the notification
log for repair events and re-reads each touched case; the API catches it up after each write
and before each read, so an officer sees their own step at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.domain import repair_events
from ledger.domain.events import LedgerEvent
from ledger.domain.repair_case import OPEN, RepairCase
from ledger.store.sidetables import SideTables
from ledger.store.sql import Tx
from ledger.store.tables import SIDE_TABLES, WORKLIST_COLUMNS

COLUMNS = WORKLIST_COLUMNS  # declared with the table, in ledger/store/tables.py
TOPICS = [get_topic(cls) for cls in vars(repair_events).values()
          if isinstance(cls, type) and issubclass(cls, LedgerEvent)
          and cls.__module__ == repair_events.__name__]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int


class Cases(Protocol):
    """What the worklist reads: the store's log and the cases (the repair use cases)."""

    @property
    def recorder(self) -> Any: ...

    def repair_case(self, case_id: str | UUID) -> RepairCase: ...


class Worklist:
    def __init__(self, ledger: Cases) -> None:
        self.ledger = ledger
        self.side = SideTables(ledger.recorder,
                               {"repair_worklist": SIDE_TABLES["repair_worklist"]})
        self.table = self.side.t("repair_worklist")

    def catch_up(self) -> int:
        return self.side.follow("repair_worklist", TOPICS, self._rows, self._write)

    def _rows(self, notes: Sequence[Any]) -> list[tuple[Any, ...]]:
        ids = dict.fromkeys(n.originator_id for n in notes)
        rows = []
        for case_id in ids:
            case = self.ledger.repair_case(case_id)
            rows.append((str(case.id), case.subject, case.target_kind, case.target_authority,
                         case.target_id, case.domain, case.list_name, case.status.value,
                         case.applied_on, case.accepted_on, case.decision_due, case.decided_on,
                         case.notify_due, case.informed_on, case.due_on(), case.version))
        return rows

    def _write(self, tx: Tx, rows: list[tuple[Any, ...]]) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
        # A slower catch-up holding an older reading of a case must not win.
        tx.executemany(f"INSERT INTO {self.table} ({', '.join(COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(COLUMNS))}) ON CONFLICT (case_id) DO UPDATE "
                       f"SET {updates} WHERE {self.table}.version < excluded.version", rows)

    def page(self, *, status: str | None = None, domains: Sequence[str] = (),
             overdue_on: date | None = None, page: int = 1, size: int = 50) -> Page:
        """Cases matching the filters, oldest due first (cases with no deadline last)."""
        where: list[str] = ["1 = 1"]
        params: list[str] = []
        if status == "open":
            where.append(f"(status IN ({', '.join('?' * len(OPEN))}) OR due_on IS NOT NULL)")
            params += [s.value for s in OPEN]
        elif status:
            where.append("status = ?")
            params.append(status)
        if domains:
            where.append(f"domain IN ({', '.join('?' * len(domains))})")
            params += list(domains)
        if overdue_on is not None:
            where.append("due_on < ?")
            params.append(overdue_on.isoformat())
        clause = " AND ".join(where)
        with self.side.transaction(commit=False) as tx:
            total = tx.fetchall(f"SELECT COUNT(*) FROM {self.table} WHERE {clause}", params)
            rows = tx.fetchall(
                f"SELECT {', '.join(COLUMNS)} FROM {self.table} WHERE {clause} ORDER BY "
                "CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, applied_on, case_id "
                "LIMIT ? OFFSET ?", [*params, size, (page - 1) * size])
        return Page([dict(zip(COLUMNS, r, strict=True)) for r in rows], int(total[0][0]))

    def open_case_for(self, subject: str, kind: str, authority: str, target_id: str
                      ) -> str | None:
        """The case still open on this target, if any (one application at a time)."""
        with self.side.transaction(commit=False) as tx:
            rows = tx.fetchall(
                f"SELECT case_id FROM {self.table} WHERE subject = ? AND target_kind = ? AND "
                f"target_authority = ? AND target_id = ? AND status IN "
                f"({', '.join('?' * len(OPEN))})", (subject, kind, authority, target_id, *OPEN))
        return str(rows[0][0]) if rows else None


def scan_open_case(ledger: Cases, subject: str, kind: str, authority: str, target_id: str
                   ) -> str | None:
    """Worklist.open_case_for on a store without SQL (the in-memory store of unit tests): every
    repair case read from the log, which is small there."""
    notes = ledger.recorder.select_notifications(1, 1 << 30, topics=TOPICS)
    for case_id in dict.fromkeys(n.originator_id for n in notes):
        case = ledger.repair_case(case_id)
        if (case.status in OPEN and (case.subject, case.target_kind, case.target_authority,
                                     case.target_id) == (subject, kind, authority, target_id)):
            return str(case.id)
    return None
