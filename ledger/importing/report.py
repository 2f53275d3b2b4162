"""What an import did, row by row and in all."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.domain.errors import DomainError
from ledger.importing.rows import RowError
from ledger.privacy import redact


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: rows read and rejected, events stored, how many saves, how long."""

    rows: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    events: int = 0
    saves: int = 0
    largest_save: int = 0
    seconds: float = 0.0
    stored: bool = True
    restarts: int = 0  # after a concurrent write to one of the file's subjects
    cpu_seconds: float = 0.0  # of the worker processes, in a parallel import
    max_rss_mb: float = 0.0  # the largest worker's peak, in a parallel import

    @property
    def rejected_rows(self) -> int:
        return len({r.line for r in self.rejected})

    def reject(self, line: int, error: RowError | DomainError,
               columns: dict[str, str] | None = None) -> None:
        """Record a row's problems; `columns` names a template file's own column beside the
        field (`处罚决定日期 (decided_on)`), as the data officer knows it."""
        problems = (error.problems if isinstance(error, RowError)
                    else [(error.field or "record", error.message)])
        if columns:
            problems = [(f"{columns[f]} ({f})" if f in columns else f, r) for f, r in problems]
        # Reports are printed and written to files: no reason quotes a person's number.
        self.rejected.extend(Rejection(line, f, redact(r)) for f, r in problems)

    def merge(self, other: ImportReport) -> None:
        """Add another process's share of the same file."""
        self.rows += other.rows
        self.rejected = sorted(self.rejected + other.rejected, key=lambda r: r.line)
        self.events += other.events
        self.saves += other.saves
        self.largest_save = max(self.largest_save, other.largest_save)
        self.seconds = max(self.seconds, other.seconds)
        self.stored = self.stored and other.stored
        self.restarts += other.restarts
        self.cpu_seconds += other.cpu_seconds
        self.max_rss_mb = max(self.max_rss_mb, other.max_rss_mb)
