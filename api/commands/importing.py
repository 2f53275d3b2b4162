"""`credit-ledger import FILE` and `credit-ledger generate`: bulk files in, synthetic city out."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ledger.domain.errors import Conflict
from ledger.domain.labels import code_of
from ledger.domain.uscc import CodeError, validate_uscc
from ledger.domain.vocabulary import Domain
from ledger.settings import Settings

MAX_SHOWN = 100  # rejected rows printed; --report writes them all


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("generate")(generate_command)


def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="NDJSON records or a double-publicity CSV file."),
    authority: str = typer.Option(..., "--authority", help="USCC of the recording authority, "
                                  "for rows that do not name their own."),
    fmt: str | None = typer.Option(None, "--format", help="csv or ndjson (default: from the "
                                   "file name)."),
    all_or_nothing: bool = typer.Option(False, "--all-or-nothing", help="Validate every row "
                                        "first; store nothing if any row is rejected."),
    report: Path | None = typer.Option(None, "--report", help="Write every rejected row here "
                                       "as JSON lines."),
    workers: int = typer.Option(0, "--workers", min=0, help="Processes sharing the subjects "
                                "(0: one per CPU, at most 4, for files over 8 MiB; else 1)."),
    domain: str | None = typer.Option(None, "--domain", help="Domain of a CSV file's penalties "
                                      "that have no 领域 column (a code or its label, e.g. "
                                      "price or 价格); default: the authority's default domain "
                                      "in the authority catalogue."),
) -> None:
    """Import permits, penalties, listings, commitments... in batches; re-running adds nothing."""
    # Here, not at the top: the store and importer modules take about a second to import,
    # which every other command would pay too (docs/adr/019).
    from eventsourcing.persistence import PersistenceError

    from api.bootstrap import bootstrap
    from ledger.build import build_authorities
    from ledger.importing.importer import import_file
    from ledger.importing.parallel import import_parallel
    from ledger.importing.source import SourceError

    try:
        authority = validate_uscc(authority)
    except CodeError as e:
        raise typer.BadParameter(str(e), param_hint="--authority") from None
    try:
        domain = code_of(Domain, domain).value if domain else None
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--domain") from None
    settings = Settings()
    runtime = bootstrap(settings, background=False)  # also creates the tables, once
    workers = workers or auto_workers(file)
    try:
        with _progress_bar() as on_progress:
            if workers > 1:
                result = import_parallel(settings, file, workers=workers, authority=authority,
                                         fmt=fmt, all_or_nothing=all_or_nothing,
                                         actor="cli-import", progress=on_progress,
                                         domain=domain)
            else:
                result = import_file(
                    runtime.ledger, file, authority=authority, fmt=fmt,
                    all_or_nothing=all_or_nothing, actor="cli-import",
                    key=settings.pseudonym_key.get_secret_value().encode(),
                    progress=lambda source, r: on_progress(r.rows, source.position,
                                                           source.size),
                    domain=domain, authorities=build_authorities(settings))
    except (SourceError, Conflict, PersistenceError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    finally:
        runtime.close()
    _print_report(file, result, report)
    if result.rejected:
        raise typer.Exit(1)


def auto_workers(file: Path) -> int:
    """Processes pay off once starting them (about half a second) is small beside the import."""
    if file.stat().st_size < 8 << 20:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _progress_bar() -> Any:
    """A rich progress bar on stderr: bytes read, rows and rows per second."""
    @contextmanager
    def bar() -> Any:
        columns = (TextColumn("importing"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TextColumn("{task.fields[rows]:,} rows"),
                   TextColumn("{task.fields[rate]:,.0f} rows/s"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
            task = progress.add_task("import", total=None, rows=0, rate=0.0)

            def update(rows: int, read: int, size: int) -> None:
                elapsed = progress.tasks[0].elapsed or 1e-9
                progress.update(task, total=size, completed=read, rows=rows,
                                rate=rows / elapsed)

            yield update

    return bar()


def _print_report(file: Path, result: Any, report: Path | None) -> None:
    rate = result.rows / result.seconds if result.seconds else 0.0
    typer.echo(f"{file.name}: {result.rows:,} rows read, "
               f"{result.rows - result.rejected_rows:,} valid, {result.rejected_rows:,} rejected")
    if result.stored:
        typer.echo(f"stored {result.events:,} new events in {result.saves:,} saves (largest "
                   f"{result.largest_save:,}) in {result.seconds:.1f} s, {rate:,.0f} rows/s")
    else:
        typer.echo("nothing stored (--all-or-nothing): fix the rejected rows and run again")
    if result.cpu_seconds:
        # The workers are children of multiprocessing's fork server, not of this process:
        # whoever measures this process (time, wait4) does not see them, so they are told here.
        typer.echo(f"worker processes: {result.cpu_seconds:.1f} CPU-s, largest peak RSS "
                   f"{result.max_rss_mb:.0f} MB")
    if result.rejected:
        typer.echo("rejected rows (line, field, reason):")
        for r in result.rejected[:MAX_SHOWN]:
            typer.echo(f"  line {r.line}  {r.field}  {r.reason}")
        if len(result.rejected) > MAX_SHOWN:
            typer.echo(f"  ... and {len(result.rejected) - MAX_SHOWN:,} more"
                       + ("" if report else " (use --report FILE to get them all)"))
    if report is not None:
        with report.open("wb") as f:
            for r in result.rejected:
                f.write(orjson.dumps({"line": r.line, "field": r.field, "reason": r.reason})
                        + b"\n")


def generate_command(
    subjects: int = typer.Option(..., "--subjects", min=1, help="Subjects besides the city's "
                                 "authorities."),
    seed: int = typer.Option(0, "--seed", help="The same seed always gives the same file."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
) -> None:
    """Write a synthetic city as NDJSON import records (contains resident IDs in clear)."""
    from ledger.generator.city import generate  # its word lists: only when generating

    stream = out.open("wb") if out else sys.stdout.buffer
    count = 0
    try:
        for record in generate(subjects, seed):
            stream.write(orjson.dumps(record) + b"\n")
            count += 1
    finally:
        if out:
            stream.close()
    if out:
        typer.echo(f"wrote {count:,} records to {out}", err=True)
