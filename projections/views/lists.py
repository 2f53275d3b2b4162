"""List status: every listing with its listing, expiry and removal dates.

A subject is a member of a list on day D when listed_on <= D, and it was neither removed
(delisted_on) nor expired (expires_on) on or before D (ledger.domain.visibility, applied by
projections.queries). Keeping the dates rather than a flag answers membership on any past
date, and expiry needs no daily re-run.
"""

from __future__ import annotations

from typing import Any

from projections.batch import Batch, Statements
from projections.view import View, ViewTx


def listed(batch: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    batch.insert("INSERT INTO {list_entry} (listing_id, code, list, domain, authority, basis, "
                 "notified_on, listed_on, expires_on, removal_conditions) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (listing_id) DO NOTHING",
                 (d["listing_id"], env["subject"], d["list"], d["domain"], env["authority"],
                  d.get("basis"), d.get("notified_on"), d["listed_on"], d.get("expires_on"),
                  d.get("removal_conditions")), d["listing_id"])


def delisted(batch: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    batch.update("UPDATE {list_entry} SET delisted_on = ?, delist_reason = ?, delist_note = ? "
                 "WHERE listing_id = ? AND delisted_on IS NULL",
                 (d["delisted_on"], d["reason"], d.get("note"), d["listing_id"]),
                 d["listing_id"])


class ListsView(View):
    """One row per listing, red, black or key-attention, in one of the 20 domains."""

    name = "lists"

    def __init__(self) -> None:
        self.tables = {
            "list_entry": "listing_id TEXT PRIMARY KEY, code TEXT NOT NULL, list TEXT NOT NULL, "
            "domain TEXT NOT NULL, authority TEXT NOT NULL, basis TEXT, notified_on TEXT, "
            "listed_on TEXT NOT NULL, expires_on TEXT, removal_conditions TEXT, "
            "delisted_on TEXT, delist_reason TEXT, delist_note TEXT",
        }
        self.indexes = [
            "CREATE INDEX entry_list ON {list_entry} (list, domain, listed_on)",
            "CREATE INDEX entry_code ON {list_entry} (code)",
        ]
        self.statements = Statements(self.tables)

    def apply_indexes(self) -> list[str]:
        return []  # updates go by primary key

    def merges(self) -> dict[str, str]:
        return {}  # every row is one subject's

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        batch = Batch(tx, self.statements)
        for env in envelopes:
            kind = env["type"]
            if kind == "Listed":
                listed(batch, env)
            elif kind == "Delisted":
                delisted(batch, env)
        batch.flush()


VIEW = ListsView()
