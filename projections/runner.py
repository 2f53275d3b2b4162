"""The runner: follows the feed and applies every event to every view, batch by batch.

Each batch's view rows, consumed offsets and per-stream versions commit in one transaction,
so a crash anywhere loses and doubles nothing; on restart the runner resumes from the stored
offsets. Several runners on the same view store are safe: the transaction re-checks the
offsets it started from and drops its batch if another runner got there first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ledger.runtime import Runtime
from projections import catalog
from projections.apply import apply_records, next_offsets
from projections.feed import Feed, Record, lag
from projections.kafka_feed import KafkaFeed
from projections.rebuild import rebuild
from projections.storage import ViewStore, view_store
from projections.store_feed import StoreFeed
from projections.view import View
from projections.views import load_views

log = logging.getLogger(__name__)


class Moved(Exception):
    """Another writer advanced the offsets since this batch was polled."""

    def __init__(self, offsets: dict[int, int]) -> None:
        super().__init__("offsets moved")
        self.offsets = offsets


class Runner:
    """A Service (see ledger.runtime) that keeps the serving views up to date."""

    name = "projections"

    def __init__(self, store: ViewStore, feed_factory: Callable[[], Feed], views: Sequence[View],
                 *, batch: int = 2000, poll_timeout: float = 0.5) -> None:
        self.store, self.feed_factory, self.views = store, feed_factory, list(views)
        self.batch, self.poll_timeout = batch, poll_timeout
        self.applied = 0
        self._state: dict[str, Any] = {"ok": True, "feed": None, "position": 0, "lag": None}
        self._last_measure = 0.0

    def status(self) -> dict[str, Any]:
        return dict(self._state, applied=self.applied)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.follow(stop)
            except Exception as e:  # keep serving: report, back off and reconnect
                log.exception("projection runner failed; retrying")
                self._state.update(ok=False, error=f"{type(e).__name__}: {e}")
                stop.wait(1.0)

    def follow(self, stop: threading.Event) -> None:
        feed = self.feed_factory()
        conn = self.store.connect()
        try:
            self._state["feed"] = feed.kind
            prepare(self.store, conn, feed, self.views)
            offsets = self._stored_offsets(conn, feed)
            while not stop.is_set():
                records = feed.poll(offsets, self.batch, self.poll_timeout)
                if records:
                    offsets = self.commit(conn, offsets, records)
                if not records or time.monotonic() - self._last_measure > 2:
                    self._measure(feed, offsets)
        finally:
            feed.close()
            conn.close()

    def _stored_offsets(self, conn: Any, feed: Feed) -> dict[int, int]:
        with self.store.transaction(conn) as tx:
            stored = catalog.offsets(tx, catalog.LIVE)
            self._state["position"] = catalog.position(tx)
        return {p: stored.get(p, 0) for p in feed.partitions()}

    def commit(self, conn: Any, expected: dict[int, int], records: list[Record]) -> dict[int, int]:
        """Apply one batch polled from `expected`; return the offsets to poll from next."""
        try:
            with self.store.transaction(conn, pipeline=True) as tx:
                current = catalog.offsets(tx, catalog.LIVE)
                if any(current.get(p, 0) != o for p, o in expected.items()):
                    raise Moved(current)
                tx.names.update(catalog.current_names(self.store, tx))
                served = catalog.generations(tx)
                views = [v for v in self.views if v.name in served]
                self.applied += apply_records(tx, catalog.LIVE, views, records)
        except Moved as moved:
            return {p: moved.offsets.get(p, 0) for p in expected}
        top = max((int(r.envelope.get("position") or 0) for r in records), default=0)
        self._state.update(ok=True, error=None, position=max(self._state["position"], top))
        return next_offsets(expected, records)

    def _measure(self, feed: Feed, offsets: dict[int, int]) -> None:
        self._last_measure = time.monotonic()
        try:
            self._state["lag"] = lag(feed.end_offsets(), offsets)
        except Exception as e:  # lag is informative; a failed probe must not stop the runner
            log.debug("could not measure lag: %s", e)


def prepare(store: ViewStore, conn: Any, feed: Feed, views: Sequence[View]) -> None:
    """Give every view a serving generation; build new or changed views up to the live lane."""
    store.ensure_catalog()
    with store.transaction(conn) as tx:
        served = catalog.generations(tx)
        missing = [v for v in views if v.name not in served
                   or served[v.name][1] != catalog.schema_of(v)]
        if not missing or catalog.offsets(tx, catalog.LIVE):
            fresh = False
        else:
            fresh = True  # nothing applied yet: empty tables are already up to date
            generation = catalog.next_generation(tx)
            for view in missing:
                catalog.create_tables(tx, store, view, generation)
                catalog.point(tx, view, generation)
                if view.name in served:
                    catalog.drop_tables(tx, store, served[view.name][2], served[view.name][0])
    store.forget_names()
    if missing and not fresh:
        log.info("building views %s", ", ".join(v.name for v in missing))
        rebuild(store, conn, feed, views, missing)


def feed_factory(runtime: Runtime) -> Callable[[], Feed]:
    """Kafka when configured, else the store's notification log."""
    settings = runtime.settings
    if settings.kafka_enabled:
        assert settings.kafka_bootstrap is not None
        bootstrap, topic = settings.kafka_bootstrap, settings.kafka_topic
        return lambda: KafkaFeed(bootstrap, topic)
    return lambda: StoreFeed(runtime.ledger.recorder)


def service_for(runtime: Runtime) -> Runner | None:
    if not runtime.wanted.get("project", True):
        return None
    return Runner(view_store(runtime), feed_factory(runtime), load_views(),
                  batch=runtime.settings.project_batch)
