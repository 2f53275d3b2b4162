"""Every table of our own in the event store's database, made where the store's events table
is made (`LedgerCore.construct_recorder`), not on each use (docs/adr/034).

The side tables (ledger/store/sidetables.py) are named after the events table (`stored_` on
SQLite, `<app>_` on PostgreSQL); the verification reports (replay/summary.py) after the
application. `ensure` remembers, per recorder (so per database: a second file opened under the
same application name is a recorder of its own), the tables it has made or found, and makes
only the missing ones, all in one write transaction: an older file opened by a newer release
gets the tables added since.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from ledger.store.sql import SQLITE, creating, dialect_of, recorder_tx

WORKLIST_COLUMNS = (
    "case_id", "subject", "target_kind", "target_authority", "target_id", "domain", "list",
    "status", "applied_on", "accepted_on", "decision_due", "decided_on", "notify_due",
    "informed_on", "due_on", "version")

# Side tables by name (ledger/repair/worklist.py, ledger/expiry.py, ledger/store/civil_names.py;
# `positions`: how far each follows the log).
SIDE_TABLES: dict[str, str] = {
    "repair_worklist": ", ".join(f"{c} {'BIGINT' if c == 'version' else 'TEXT'}"
                                 for c in WORKLIST_COLUMNS) + ", PRIMARY KEY (case_id)",
    "expiry_due": ("subject TEXT NOT NULL, kind TEXT NOT NULL, target_key TEXT NOT NULL, "
                   "due_on TEXT NOT NULL, PRIMARY KEY (subject, kind, target_key)"),
    "civil_servant_name": ("id TEXT NOT NULL, digest TEXT NOT NULL, name TEXT NOT NULL, "
                           "masked TEXT NOT NULL, PRIMARY KEY (id, digest)"),
    "positions": "name TEXT PRIMARY KEY, position BIGINT NOT NULL",
}

VERIFICATIONS = ("id TEXT PRIMARY KEY, started_at TEXT NOT NULL, status TEXT NOT NULL, "
                 "body TEXT NOT NULL")


def side_prefix(recorder: Any) -> str:
    return str(recorder.events_table_name).removesuffix("_events")


def verifications_table(app_name: str) -> str:
    return f"{app_name.lower()}_verifications"


def store_tables(recorder: Any, app_name: str) -> dict[str, str]:
    """Physical name -> columns of every table of ours in this recorder's database."""
    prefix = side_prefix(recorder)
    tables = {f"{prefix}_{name}": columns for name, columns in SIDE_TABLES.items()}
    tables[verifications_table(app_name)] = VERIFICATIONS
    return tables


_known: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()
_lock = threading.Lock()


def ensure(recorder: Any, tables: Mapping[str, str]) -> None:
    """Make whichever of `tables` (physical name -> columns) this recorder has not yet made or
    found; no statement at all once each is known."""
    with _lock:
        known = _known.setdefault(recorder, set())
        missing = {name: columns for name, columns in tables.items() if name not in known}
    if missing:
        missing = {n: c for n, c in missing.items() if n not in _existing(recorder, missing)}
    if missing:
        _create(recorder, missing)
    with _lock:
        known.update(tables)


def _existing(recorder: Any, names: Mapping[str, str]) -> set[str]:
    """Which of these tables the database has: a read, so that opening a store whose tables
    are all there never waits for the write lock (a long view write on the same file)."""
    with recorder_tx(recorder, commit=False) as tx:
        if tx.dialect == SQLITE:
            rows = tx.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:  # as the unqualified names resolve, through the search path
            rows = tx.fetchall("SELECT n FROM unnest(?::text[]) AS n "
                               "WHERE to_regclass(n) IS NOT NULL", (list(names),))
    return {str(r[0]) for r in rows} & set(names)


def _create(recorder: Any, missing: Mapping[str, str]) -> None:
    def create() -> None:
        # A write transaction: on SQLite it holds the write lock from the start, so a table
        # that exists (a read) before one that does not (a write) cannot fail it.
        with recorder_tx(recorder, commit=True) as tx:
            for name, columns in missing.items():
                tx.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")

    creating(create)  # two processes making one table at once: the loser sees a duplicate


def make_store_tables(factory: Any, recorder: Any, app_name: str) -> None:
    """At setup, beside the library's events table: every table of ours, missing ones made;
    as the library does, only where its CREATE_TABLE setting allows, and only on SQL stores."""
    create = getattr(factory, "env_create_table", None)
    if create is None or not create():
        return
    try:
        dialect_of(recorder)
    except TypeError:  # the in-memory store of unit tests has no tables
        return
    ensure(recorder, store_tables(recorder, app_name))
