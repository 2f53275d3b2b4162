"""What a verification found: counts, and every break in a stream's chain or between copies."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

MAX_LISTED_BREAKS = 100  # enough to act on; the total is always counted


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Break:
    """One place where history does not hold: which copy, stream, version and why."""

    where: str  # "store" or "kafka"
    stream: str
    version: int
    reason: str
    subject: str | None = None
    position: int | None = None


@dataclass
class Report:
    """The outcome of one verification run."""

    source: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: str = "running"  # running, done, error
    started_at: str = field(default_factory=now_iso)
    finished_at: str | None = None
    events: int = 0
    streams: int = 0
    kafka_records: int = 0
    kafka_topic: str | None = None
    checked_upto: int | None = None
    pending: int = 0
    # The latest signed checkpoint checked against (docs/adr/012), how many were checked, and
    # how many events came after it (checked for chain continuity only).
    checkpoint: dict[str, Any] | None = None
    checkpoints_checked: int = 0
    after_checkpoint: int = 0
    breaks_total: int = 0
    breaks: list[Break] = field(default_factory=list)
    error: str | None = None

    def add(self, brk: Break) -> None:
        self.breaks_total += 1
        self.breaks.append(brk)
        if len(self.breaks) >= 10 * MAX_LISTED_BREAKS:
            self._trim()  # a lost topic would list millions; keep the earliest

    def _trim(self) -> None:
        # Earliest in the global order first: the first event someone rewrote or lost.
        self.breaks.sort(key=lambda b: (b.position is None, b.position or 0, b.where))
        del self.breaks[MAX_LISTED_BREAKS:]

    def finish(self, error: str | None = None) -> Report:
        self._trim()
        self.status = "error" if error else "done"
        self.error = error
        self.finished_at = now_iso()
        return self

    @property
    def ok(self) -> bool:
        return self.status == "done" and self.breaks_total == 0

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None

    def as_dict(self) -> dict[str, Any]:
        first = self.first_break
        return asdict(self) | {"ok": self.ok, "first_break": asdict(first) if first else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        fields = {k: v for k, v in data.items() if k not in ("ok", "first_break", "breaks")}
        return cls(**fields, breaks=[Break(**b) for b in data.get("breaks", [])])


class Progress(Protocol):
    """Where long work reports how far it got (a rich progress bar, or nothing)."""

    def start(self, task: str, total: int | None) -> None: ...

    def advance(self, task: str, n: int) -> None: ...


class NoProgress:
    def start(self, task: str, total: int | None) -> None:
        pass

    def advance(self, task: str, n: int) -> None:
        pass
