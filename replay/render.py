"""Rich output for the replay commands: progress bars and tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from replay.report import Report

console = Console()
err_console = Console(stderr=True)


class Bars:
    """The replay Progress protocol on rich progress bars (one bar per task)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, task: str, total: int | None) -> None:
        self.tasks[task] = self.progress.add_task(task, total=total)

    def advance(self, task: str, n: int) -> None:
        self.progress.advance(self.tasks[task], n)


@contextmanager
def bars(enabled: bool = True) -> Iterator[Bars]:
    progress = Progress(TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
                        disable=not enabled)
    with progress:
        yield Bars(progress)


def history_table(history: dict[str, Any]) -> Table:
    table = Table(title=f"{history['code']} as of {history['as_of'] or 'now'} "
                        f"({len(history['events'])} of {history['known_versions']} events, "
                        f"from the {history['source']})")
    for col in ("v", "position", "recorded at", "type", "occurred", "authority", "hash"):
        table.add_column(col, overflow="fold")
    for e in history["events"]:
        table.add_row(str(e["version"]), str(e.get("position", "")), e["recorded_at"][:19],
                      e["type"], e["occurred_at"], e["authority"], e["hash"][:16])
    return table


def report_table(report: Report) -> Table:
    verdict = "[green]intact[/green]" if report.ok else f"[red]{report.breaks_total} break(s)[/red]"
    table = Table(title=f"verification {report.id[:8]} ({report.source}): {verdict}")
    for col in ("where", "stream", "version", "subject", "position", "reason"):
        table.add_column(col, overflow="fold")
    for b in report.breaks[:20]:
        table.add_row(b.where, b.stream, str(b.version), b.subject or "", str(b.position or ""),
                      b.reason)
    return table


def report_line(report: Report) -> str:
    kafka = (f", {report.kafka_records} Kafka records on {report.kafka_topic} (checked up to "
             f"position {report.checked_upto}, {report.pending} newer pending)"
             if report.kafka_topic else "")
    return f"{report.events} events in {report.streams} streams{kafka}"


FOLD_COLUMNS = {
    "permits": ("decision_no", "category", "decided_on", "status"),
    "penalties": ("decision_no", "severity", "domain", "decided_on", "publicity_max_until",
                  "status"),
    "listings": ("list", "domain", "listed_on", "expires_on", "active"),
    "commitments": ("type", "made_on", "due_on", "status"),
    "principals": ("role", "principal", "since"),
}


def fold_tables(state: dict[str, Any]) -> list[Table]:
    """The aggregate's state as the ledger knew it: identity, then one table per kind of fact."""
    identity = Table(title="subject")
    for col in ("code", "name", "kind", "masked", "version", "last_hash"):
        identity.add_column(col, overflow="fold")
    identity.add_row(*(_cell(state.get(c)) for c in ("code", "name", "kind", "masked",
                                                      "version", "last_hash")))
    tables = [identity]
    for part, columns in FOLD_COLUMNS.items():
        entries = list(state.get(part, {}).values())
        if not entries:
            continue
        table = Table(title=part)
        for col in columns:
            table.add_column(col, overflow="fold")
        for entry in entries:
            flat = entry.get("data", {}) | {k: v for k, v in entry.items() if k != "data"}
            table.add_row(*(_cell(flat.get(c)) for c in columns))
        tables.append(table)
    return tables


def state_tables(state: dict[str, Any]) -> list[Table]:
    """One table per part of an as-of state (profile, lists, score...): key/value rows."""
    tables = []
    for part, value in state.items():
        if not isinstance(value, dict | list):
            continue
        table = Table(title=part)
        rows = value if isinstance(value, list) else [value]
        keys = sorted({k for r in rows if isinstance(r, dict) for k in r})
        for k in keys:
            table.add_column(k, overflow="fold")
        for r in rows:
            if isinstance(r, dict):
                table.add_row(*(_cell(r.get(k)) for k in keys))
        tables.append(table)
    return tables


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
