"""Civil servants' names, kept beside the event store and never in an event (docs/adr/027).

One table in the store's database, `<app>_civil_servant_name`, keyed by the civil servant's
pseudonym and the keyed digest of the name that their registration event carries: the name
a reader is shown is the one whose digest the chain holds, so a row written by a request that
then lost a race, or edited in the database, is never shown as theirs.
"""

from __future__ import annotations

from typing import Any

from ledger.store.sidetables import SideTables
from ledger.store.tables import SIDE_TABLES

TABLE = "civil_servant_name"


class CivilServantNames:
    """Names (and masked ID numbers) by pseudonym and name digest."""

    def __init__(self, recorder: Any) -> None:
        self.tables = SideTables(recorder, {TABLE: SIDE_TABLES[TABLE]})

    def put(self, pseudonym: str, digest: str, name: str, masked: str) -> None:
        with self.tables.transaction() as tx:
            tx.execute(f"INSERT INTO {self.tables.t(TABLE)} (id, digest, name, masked) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (id, digest) DO NOTHING",
                       (pseudonym, digest, name, masked))

    def get(self, pairs: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """(name, masked) of each (pseudonym, digest) pair that has a row."""
        found: dict[str, tuple[str, str]] = {}
        wanted = set(pairs)
        with self.tables.transaction(commit=False) as tx:
            for start in range(0, len(pairs), 500):
                ids = sorted({p for p, _ in pairs[start:start + 500]})
                marks = ", ".join("?" * len(ids))
                for pid, digest, name, masked in tx.fetchall(
                        f"SELECT id, digest, name, masked FROM {self.tables.t(TABLE)} "
                        f"WHERE id IN ({marks})", ids):
                    if (pid, digest) in wanted:
                        found[pid] = (name, masked)
        return found
