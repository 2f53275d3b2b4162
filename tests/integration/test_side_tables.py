"""The side tables beside the store (repair worklist, expiry index) on real PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.store.sidetables import SideTables
from tests.repair_story import City


@pytest.mark.postgres
def test_a_nul_stored_before_the_edge_rules_does_not_stop_a_side_table(
        pg_url: str, unique_name: str) -> None:
    # A penalty number with a NUL, recorded before the text rules refused such input, is the
    # target of a repair case: the officers' worklist must still take its row.
    city = City.on(pg_url, unique_name, today=date(2026, 11, 25))
    try:
        side = SideTables(city.ledger.recorder, {"notes": "id TEXT PRIMARY KEY, note TEXT"})
        with side.transaction() as tx:
            tx.executemany(f"INSERT INTO {side.t('notes')} (id, note) VALUES (?, ?)",
                           [("a", "PJ-2026\x00-0001"), ("b", "fine")])
            tx.execute(f"UPDATE {side.t('notes')} SET note = ? WHERE id = ?", ("甲\x00乙", "b"))
        with side.transaction(commit=False) as tx:
            rows = tx.fetchall(f"SELECT id, note FROM {side.t('notes')} ORDER BY id")
        assert rows == [("a", "PJ-2026\ufffd-0001"), ("b", "甲\ufffd乙")]
    finally:
        city.ledger.close()
