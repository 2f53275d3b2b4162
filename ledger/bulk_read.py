"""Many subjects rebuilt from one query, for batch processes (the expiry run).

The library reads one aggregate per round trip; a run over thousands of due subjects would
spend its time waiting on those. (ledger/import_store.py does the same for bulk import.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from ledger.application import CreditLedger
from ledger.domain.subject import Subject, subject_stream

CHUNK = 500  # streams per query; SQLite allows at most 32,766 parameters


def load_subjects(ledger: CreditLedger, codes: Sequence[str]) -> list[Subject]:
    """The stored subjects with these codes, in the order given; unknown codes are left out."""
    by_id: dict[UUID, Subject] = {}
    ids = [subject_stream(code) for code in codes]
    for start in range(0, len(ids), CHUNK):
        rows = _select(ledger.recorder, ids[start:start + CHUNK])
        for oid, group in groupby(rows, key=lambda r: r.originator_id):
            subject: Any = project_aggregate(None, (ledger.mapper.to_domain_event(e)
                                                    for e in group))
            by_id[UUID(str(oid))] = subject
    return [by_id[i] for i in ids if i in by_id]


def _select(recorder: Any, ids: Sequence[UUID]) -> Iterator[StoredEvent]:
    cols = "originator_id, originator_version, topic, state"
    order = "ORDER BY originator_id, originator_version"
    with recorder.datastore.transaction(commit=False) as cursor:
        if isinstance(recorder, PostgresApplicationRecorder):
            cursor.execute(f"SELECT {cols} FROM {recorder.events_table_name} "
                           f"WHERE originator_id = ANY(%s) {order}", (list(ids),))
            for r in cursor.fetchall():
                yield StoredEvent(r["originator_id"], r["originator_version"], r["topic"],
                                  bytes(r["state"]))
        else:
            cursor.execute(f"SELECT {cols} FROM {recorder.events_table_name} WHERE "
                           f"originator_id IN ({','.join('?' * len(ids))}) {order}",
                           [i.hex for i in ids])
            for r in cursor.fetchall():
                yield StoredEvent(UUID(r[0]), r[1], r[2], bytes(r[3]))
