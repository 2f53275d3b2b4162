"""A running process: the ledger application, tokens, and background services."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ledger.application import CreditLedger
from ledger.settings import Settings

log = logging.getLogger(__name__)


class Service(Protocol):
    """A background loop (relay, projector) that a process runs and reports on."""

    name: str

    def run(self, stop: threading.Event) -> None: ...

    def status(self) -> dict[str, Any]: ...


class Periodic:
    """A service that takes one step now and then every `interval` seconds, and reports the
    last step's outcome (`status_key` in /readyz); a failed step is logged and retried."""

    name = "periodic"
    status_key = "last"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last: dict[str, Any] = {}

    def step(self) -> dict[str, Any] | None:
        """Do one step: what to report (with "ok"), or None to keep the last report."""
        raise NotImplementedError

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                done = self.step()
                if done is not None:
                    self.last = {"at": datetime.now(UTC).isoformat()} | done
            except Exception as e:  # reported in /readyz and retried at the next tick
                log.exception("%s failed", self.name)
                self.last = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            stop.wait(self.interval)

    def status(self) -> dict[str, Any]:
        return {"ok": self.last.get("ok", True), self.status_key: self.last}


@dataclass
class Runtime:
    settings: Settings
    ledger: CreditLedger
    wanted: dict[str, bool] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    checks: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for service in self.services:
            thread = threading.Thread(target=service.run, args=(self._stop,), name=service.name,
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        for closer in self.extras.get("closers", []):
            closer()
        self.ledger.close()

    def readiness(self) -> dict[str, dict[str, Any]]:
        report: dict[str, dict[str, Any]] = {}
        for name, check in self.checks.items():
            try:
                report[name] = {"ok": True} | check()
            except Exception as e:  # a readiness probe reports any failure, it never raises
                report[name] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        for service in self.services:
            report[service.name] = service.status()
        return report
