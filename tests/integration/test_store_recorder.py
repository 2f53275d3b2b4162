"""The ledger's PostgreSQL recorder stores exactly what the library's own recorder stores.

`LedgerRecorder` (ledger/store/recording.py) sends new events as four binary arrays instead
of the library's array of composites; a store it writes must be the library's store, row for
row and byte for byte, in the same order, so that either recorder reads what the other wrote.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings
from ledger.store.recording import LedgerRecorder, insert_stored, position_of
from replay.rows import Row, rows_by_position
from tests.calls import register

TODAY = date(2025, 11, 20)
TAX = make_uscc("1", "1", "110000", "00001312")
CODES = ["91110000600037341L", "91110000MA01U2QX6Y", "91110000802100433B"]
LIBRARY = "eventsourcing.postgres:PostgresApplicationRecorder"


@pytest.fixture
def ledgers(pg_url: str) -> Iterator[Callable[..., CreditLedger]]:
    opened: list[CreditLedger] = []

    def open_ledger(name: str | None = None) -> CreditLedger:
        settings = Settings(database_url=pg_url, app_name=name or "T" + uuid.uuid4().hex[:12])
        opened.append(build_ledger(settings, clock=lambda: TODAY))
        return opened[-1]

    yield open_ledger
    for ledger in opened:
        ledger.close()


def rows(ledger: CreditLedger) -> list[Row]:
    return [row for batch in rows_by_position(ledger.recorder) for row in batch]


def stored(found: list[Row]) -> list[StoredEvent]:
    return [StoredEvent(uuid.UUID(r.stream), r.version, r.topic, r.state) for r in found]


def written(ledger: CreditLedger) -> list[tuple[Any, ...]]:
    return [(r.stream, r.version, r.topic, r.state) for r in rows(ledger)]


def test_saves_and_bulk_inserts_store_what_the_librarys_recorder_stores(
        ledgers: Callable[..., CreditLedger], monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = ledgers()
    assert type(clerk.recorder) is LedgerRecorder
    for n, code in enumerate(CODES):
        register(clerk, code=code, name=f"Firm {n}", kind="enterprise", masked=None,
                 authority=TAX, actor="clerk-1", registered_on=date(2020, 1, 6))
    saved = rows(clerk)
    assert [r.position for r in saved] == sorted(r.position for r in saved)

    # The same events through the ledger's bulk insert, and through the library's recorder
    # (chosen the library's way, with its own switch set explicitly).
    bulk = ledgers()
    insert_stored(bulk.recorder, stored(saved))
    monkeypatch.setenv("APPLICATION_RECORDER_TOPIC", LIBRARY)
    library = ledgers()
    assert type(library.recorder) is PostgresApplicationRecorder
    library.recorder.insert_events(stored(saved))

    assert written(bulk) == written(library) == written(clerk)
    assert [r.position for r in rows(bulk)] == [r.position for r in rows(library)]

    # What one recorder wrote, the other reads as the same subjects.
    reader = ledgers(clerk.name)
    assert type(reader.recorder) is PostgresApplicationRecorder
    for code in CODES:
        assert reader.subject(code).__dict__ == clerk.subject(code).__dict__


def test_a_second_write_of_an_event_fails_whole_and_positions_point_at_the_rows(
        ledgers: Callable[..., CreditLedger]) -> None:
    clerk = ledgers()
    register(clerk, code=CODES[0], name="Firm", kind="enterprise", masked=None,
             authority=TAX, actor="clerk-1", registered_on=date(2020, 1, 6))
    first = rows(clerk)
    assert position_of(clerk.recorder, uuid.UUID(first[0].stream), 1) == first[0].position
    assert position_of(clerk.recorder, uuid.uuid4(), 1) == 0

    # A concurrent writer's event at the same version: the save fails and stores nothing
    # (the use cases' retry depends on the IntegrityError), in one event or in bulk.
    again = StoredEvent(uuid.UUID(first[0].stream), 1, first[0].topic, b'{"other": 1}')
    fresh = StoredEvent(uuid.uuid4(), 1, first[0].topic, first[0].state)
    with pytest.raises(IntegrityError):
        clerk.recorder.insert_events([fresh, again])
    with pytest.raises(IntegrityError):
        insert_stored(clerk.recorder, [fresh, again])
    assert rows(clerk) == first
