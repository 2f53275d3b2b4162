"""The importer's side of the store: many subjects read per query, many saved per save()."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from itertools import groupby
from queue import Queue
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from ledger.application import CreditLedger
from ledger.domain.subject import Subject
from ledger.store.sql import recorder_tx, stream_param, stream_value

READ_CHUNK = 500  # streams per query; SQLite allows at most 32,766 parameters


def load_subjects(ledger: CreditLedger, ids: Sequence[UUID]) -> dict[UUID, Subject]:
    """The stored subjects among ids, rebuilt from their events; absent ids are left out."""
    found: dict[UUID, Subject] = {}
    for start in range(0, len(ids), READ_CHUNK):
        rows = _select(ledger.recorder, ids[start:start + READ_CHUNK])
        for oid, group in groupby(rows, key=lambda r: r.originator_id):
            events = (ledger.mapper.to_domain_event(e) for e in group)
            subject: Any = project_aggregate(None, events)
            found[UUID(str(oid))] = subject
    return found


def _select(recorder: Any, ids: Sequence[UUID]) -> Iterator[StoredEvent]:
    with recorder_tx(recorder, commit=False) as tx:
        marks = ",".join("?" * len(ids))
        rows = tx.fetchall("SELECT originator_id, originator_version, topic, state FROM "
                           f"{recorder.events_table_name} WHERE originator_id IN ({marks}) "
                           "ORDER BY originator_id, originator_version",
                           [stream_param(tx.dialect, i) for i in ids])
        dialect = tx.dialect
    for oid, version, topic, state in rows:
        yield StoredEvent(stream_value(dialect, oid), version, topic, bytes(state))


class Writer:
    """Saves lists of events on a second thread, so the next batch is built during the insert.

    The events of many subjects go to one save() (one transaction). Once a save fails, later
    batches are dropped and the error is raised to the caller at its next submit or close.
    """

    def __init__(self, ledger: CreditLedger, depth: int = 2) -> None:
        self.ledger = ledger
        self.saves = self.events = self.largest = 0
        self.error: BaseException | None = None
        self._stopping = False
        self._queue: Queue[list[Any] | None] = Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self._thread.start()

    def submit(self, events: list[Any]) -> None:
        self._raise()
        if events:
            self._queue.put(events)

    def drain(self) -> None:
        """Wait until everything submitted is saved."""
        self._queue.join()
        self._raise()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise()

    def abort(self) -> None:
        """Stop without saving what is still queued (no-op once closed)."""
        if self._thread.is_alive():
            self._stopping = True
            self._queue.put(None)
            self._thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while True:
            events = self._queue.get()
            try:
                if events is None:
                    return
                if self.error is None and not self._stopping:
                    self.ledger.record(events)
                    self.saves += 1
                    self.events += len(events)
                    self.largest = max(self.largest, len(events))
            except BaseException as e:  # handed to the importing thread, which decides
                self.error = e
            finally:
                self._queue.task_done()
