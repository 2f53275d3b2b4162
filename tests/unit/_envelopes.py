"""Hand-written envelopes and a list-backed feed, for view tests with no services."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from projections import catalog
from projections.apply import apply_records
from projections.feed import Feed, Record
from projections.runner import prepare
from projections.storage import ViewStore
from projections.view import View

MARKET, TAX, COURT = "11211100000023456J", "11211100000013127R", "11211100000016037T"


class Story:
    """Builds envelopes with per-stream versions and a global position, like the store does."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.envelopes: list[dict[str, Any]] = []

    def add(self, code: str, type_: str, on: str, data: dict[str, Any],
            authority: str = MARKET) -> dict[str, Any]:
        stream = f"stream-{code}"
        version = self.versions[stream] = self.versions.get(stream, 0) + 1
        env = {"id": f"{stream}/{version}", "type": type_, "schema_version": 1, "subject": code,
               "stream": stream, "version": version, "occurred_at": on,
               "recorded_at": f"{on}T08:00:00+00:00", "authority": authority, "actor": "clerk",
               "data": data, "prev_hash": "", "hash": f"h{len(self.envelopes)}",
               "position": len(self.envelopes) + 1}
        self.envelopes.append(env)
        return env

    def register(self, code: str, name: str, kind: str = "enterprise",
                 masked: str | None = None) -> None:
        data = {"code": code, "name": name, "kind": kind} | ({"masked": masked} if masked else {})
        self.add(code, "SubjectRegistered", "2020-01-06", data)

    def records(self) -> list[Record]:
        return [Record(0, e["position"], e) for e in self.envelopes]


class ListFeed(Feed):
    """A feed over records held in memory (one partition), for rebuild tests."""

    kind = "list"

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def partitions(self) -> list[int]:
        return [0]

    def poll(self, offsets: Mapping[int, int], max_records: int, timeout: float) -> list[Record]:
        start = offsets.get(0)
        if start is None:
            return []
        return [r for r in self.records if r.offset >= start][:max_records]

    def end_offsets(self) -> dict[int, int]:
        return {0: (self.records[-1].offset + 1) if self.records else 0}

    def close(self) -> None:
        pass

    def shares(self) -> int:
        return 1  # one process: only the store's and Kafka's feeds split


def store_at(tmp_path: Path) -> ViewStore:
    return ViewStore(f"sqlite:///{tmp_path / 'views.sqlite3'}", "t")


def feed_views(store: ViewStore, views: list[View], records: list[Record]) -> None:
    """Build the views' generation and apply the records in one batch, as the runner does."""
    conn = store.connect()
    try:
        prepare(store, conn, ListFeed([]), views)
        with store.transaction(conn) as tx:
            tx.names.update(catalog.current_names(store, tx))
            apply_records(tx, catalog.LIVE, views, records)
    finally:
        conn.close()
