"""Rich output for the replay commands: progress bars and tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
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


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say what went wrong on stderr; the caller raises the exit (1: a break, 2: a usage)."""
    err_console.print(f"[red]{message}[/red]")
    return typer.Exit(code)


def print_json(obj: object) -> None:
    typer.echo(orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode())


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


def checks_table(history: dict[str, Any]) -> Table:
    """The subject's check log: who asked, for which scenario and matter, what applied."""
    log = history["checks"]
    table = Table(title=f"credit checks ({len(log['events']) - 1} recorded, chain "
                        f"{'intact' if log['chain_ok'] else 'BROKEN'})")
    for col in ("v", "checked", "authority", "actor", "scenario", "matter", "measures", "hash"):
        table.add_column(col, overflow="fold")
    for e in log["events"]:
        if e["type"] != "CreditChecked":
            continue
        data = e["data"]
        table.add_row(str(e["version"]), data["checked_on"], e["authority"], e["actor"],
                      data["scenario"], data.get("matter_no") or "", ", ".join(
                          f"{m['kind']}:{m['measure']}" for m in data["measures"]),
                      e["hash"][:16])
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
    return f"{report.events} events in {report.streams} streams{kafka}; {checkpoint_line(report)}"


def checkpoint_line(report: Report) -> str:
    c = report.checkpoint
    if c is None:
        return "no signed checkpoint: chain continuity only (record one: credit-ledger checkpoint)"
    return (f"checked against {report.checkpoints_checked} signed checkpoint(s), the latest "
            f"({c['source']}) at position {c['position']} ({c['events']} events, signed "
            f"{c['signed_at']}, key id {c['key_id'][:16]}…); {report.after_checkpoint} events "
            "after the latest checkpoint (chain continuity only)")


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


def state_headline(answer: dict[str, Any]) -> str:
    p, s, k = answer["profile"], answer["score"], answer["known"]
    score = f"score {s['score']} ({s['grade']}, model {s['model_version']})" if s else "no score"
    return (f"[bold]{p['code']}[/bold] {p.get('name') or ''} ({p.get('kind') or 'unregistered'})"
            f" as of {answer['as_of'] or 'now'}, in force on {answer['day']}: {score}; "
            f"known: {k['events']} events up to version {k['version']}, head "
            f"{(k['head_hash'] or '')[:16]}")


STATE_COLUMNS = {
    "lists": ("list", "domain", "authority", "listed_on", "expires_on"),
    "penalties": ("decision_no", "severity", "domain", "decided_on", "publicity_max_until"),
    "permits": ("decision_no", "category", "decided_on", "status"),
    "commitments": ("type", "made_on", "due_on", "status"),
    "principals": ("role", "principal", "name", "since"),
    "led_organisations": ("code", "name", "role", "penalties_total"),
}
EXPLANATION_COLUMNS = ("rule", "points", "record", "on", "model_version")


def state_parts(answer: dict[str, Any]) -> dict[str, Any]:
    """The parts of an as-of answer worth a table each, with their telling columns."""
    p, s = answer["profile"], answer["score"] or {}
    parts = {part: [{c: row.get(c) for c in cols} for row in p.get(part, [])]
             for part, cols in STATE_COLUMNS.items()}
    parts["score explanation"] = [{c: row.get(c) for c in EXPLANATION_COLUMNS}
                                  for row in s.get("explanation", [])]
    return parts


def state_tables(state: dict[str, Any]) -> list[Table]:
    """One table per part of an as-of state (profile, lists, score...): key/value rows."""
    tables = []
    for part, value in state.items():
        if not isinstance(value, dict | list) or not value:
            continue
        table = Table(title=part)
        rows = value if isinstance(value, list) else [value]
        keys = list(dict.fromkeys(k for r in rows if isinstance(r, dict) for k in r))
        for k in keys:
            table.add_column(k, overflow="fold")
        for r in rows:
            if isinstance(r, dict):
                table.add_row(*(_cell(r.get(k)) for k in keys))
        tables.append(table)
    return tables


def diff_tables(result: Any) -> list[Table]:
    """A summary line per view table, then the differing rows of each table that differs."""
    verdict = "[green]same[/green]" if result.same else "[red]different[/red]"
    summary = Table(title=f"rebuilt ({result.built.events} events) vs live "
                          f"({result.streams} streams): {verdict}")
    for col in ("table", "live rows", "rebuilt rows", "only live", "only rebuilt"):
        summary.add_column(col)
    for t in result.tables:
        style = None if t.same else "red"
        summary.add_row(t.table, str(t.live_rows), str(t.rebuilt_rows), str(t.only_live_total),
                        str(t.only_rebuilt_total), style=style)
    tables = [summary]
    for t in result.tables:
        if t.same:
            continue
        rows = Table(title=f"{t.table}: rows on one side only (first few)")
        rows.add_column("side")
        rows.add_column("row", overflow="fold")
        for side, found in (("live", t.only_live), ("rebuilt", t.only_rebuilt)):
            for row in found:
                rows.add_row(side, str(row))
        tables.append(rows)
    return tables


def rebuild_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"views {', '.join(summary['views'])} rebuilt into {summary['into']}"
                        f" as of {summary['as_of'] or 'now'}")
    for col in ("table", "rows", "sha256"):
        table.add_column(col)
    for name, t in summary["tables"].items():
        table.add_row(name, str(t["rows"]), t["sha256"][:16])
    return table


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
