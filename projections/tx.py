"""A transaction on the view store: the one SQL adapter, with logical table names resolved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.store import sql
from projections.held import Held
from projections.spool import Spool
from projections.view import ViewTx


class ViewsNotReady(RuntimeError):
    """A view has no generation yet: the runner has not built it."""


class Tx(sql.Tx, ViewTx):
    """One open transaction, with logical table names resolved to physical ones."""

    # View rows come from envelopes whose NULs the feed already turned into U+FFFD
    # (projections.feed), and a rebuild writes millions of them: no second scan.
    scrub_nul = False

    def __init__(self, cursor: Any, dialect: str, names: Mapping[str, str],
                 held: Held | None = None, spool: Spool | None = None) -> None:
        super().__init__(cursor, dialect)
        self.names: dict[str, str] = dict(names)
        # A rebuild stage's counters, written once at its end (projections.held.Held), and
        # its files of spooled rows (projections.spool).
        self.held, self.spool = held, spool

    def t(self, table: str) -> str:
        try:
            return self.names[table]
        except KeyError:
            raise ViewsNotReady(f"view table {table!r} is not built yet") from None
