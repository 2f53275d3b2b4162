"""How the relay is doing: outages logged once, exponential backoff, and what status() shows."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from kafka.errors import KafkaError

log = logging.getLogger("credit-ledger.relay")


def culprit(error: BaseException) -> str:
    if isinstance(error, KafkaError):
        return "Kafka"
    if isinstance(error, PersistenceError | psycopg.Error | sqlite3.Error):
        return "the event store"
    return "the relay"


class Health:
    """Failing for longer than `unhealthy_after` seconds (or a refused topic) means not ok."""

    def __init__(self, *, first_delay: float = 0.25, max_delay: float = 8.0,
                 unhealthy_after: float = 30.0) -> None:
        self.first_delay, self.max_delay = first_delay, max_delay
        self.unhealthy_after = unhealthy_after
        self.failing_since: float | None = None
        self.failing_what: str | None = None
        self.retries = 0
        self.outages = 0
        self.last_error: str | None = None
        self.refusal: str | None = None

    def failed(self, error: BaseException) -> float:
        """Note a failed step; the delay before the next try."""
        what = culprit(error)
        self._note(what, f"{type(error).__name__}: {error}", unexpected=what == "the relay")
        self.retries += 1
        return min(self.max_delay, self.first_delay * 2 ** min(self.retries - 1, 16))

    def waiting(self, message: str) -> None:
        """Still waiting on Kafka inside a step: an outage too, but the producer retries."""
        self._note("Kafka", message, unexpected=False)

    def _note(self, what: str, message: str, *, unexpected: bool) -> None:
        self.last_error = message
        if self.failing_what == what:
            log.debug("relay: %s still unavailable: %s", what, message)
            return
        # Logged once per outage (and again only if the culprit changes).
        if self.failing_since is None:
            self.failing_since = time.monotonic()
            self.outages += 1
        self.failing_what = what
        log.warning("relay: %s unavailable (%s); retrying with backoff until it is back",
                    what, message, exc_info=unexpected)

    def succeeded(self) -> None:
        if self.failing_since is not None:
            log.warning("relay: %s is back after %.1f s; carrying on", self.failing_what,
                        time.monotonic() - self.failing_since)
        self.failing_since = self.failing_what = None
        self.retries = 0

    def refused(self, message: str | None) -> None:
        self.refusal = message

    def report(self) -> dict[str, Any]:
        failing_for = 0.0 if self.failing_since is None else time.monotonic() - self.failing_since
        ok = self.refusal is None and failing_for < self.unhealthy_after
        return {"ok": ok, "failing_for_s": round(failing_for, 1), "outages": self.outages,
                "last_error": self.refusal or self.last_error}
