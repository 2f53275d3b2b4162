"""`credit-ledger project` (the projection runner) and `credit-ledger replay rebuild`."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.commands.logs import configure_logging
from api.commands.replaying import replay_app
from ledger.settings import Settings
from replay.cli_views import side_rebuild

log = logging.getLogger("credit-ledger.project")


def project() -> None:
    """Run the projection runner in the foreground until interrupted (Kafka or the store log)."""
    from api.bootstrap import bootstrap  # here: a second of imports (docs/adr/019)
    from projections.runner import service_for

    configure_logging()
    runtime = bootstrap(Settings(), background=False, relay=False, project=True)
    runner = service_for(runtime)
    assert runner is not None
    stop = threading.Event()

    def on_signal(signum: int, _: FrameType | None) -> None:
        log.info("signal %s: stopping after the current batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("projecting from the %s feed", "Kafka" if runtime.settings.kafka_enabled
             else "store")
    try:
        runner.run(stop)
    finally:
        runtime.close()
    log.info("stopped: %s", runner.status())


def rebuild(view: str = typer.Argument(..., metavar="VIEW|all",
                                       help="The view to rebuild, or `all`."),
            source: str = typer.Option(None, help="With --into/--in-memory: rebuild from "
                                                  "store or kafka (default: the live feed)."),
            as_of: str = typer.Option(None, "--as-of", help="With --into/--in-memory: only "
                                      "events recorded at or before this instant (ISO 8601)."),
            into: str = typer.Option(None, "--into", metavar="SCHEMA",
                                     help="Build into this schema, leaving the live views be."),
            in_memory: bool = typer.Option(False, "--in-memory",
                                           help="Build in memory and print table digests."),
            ) -> None:
    """Rebuild a view (or all) from the start of the feed, then swap it in atomically."""
    if source or as_of or into or in_memory:  # auditors' rebuilds never touch live views
        side_rebuild(view, source, as_of, into, in_memory)
        return
    # Here, not at the top: about a second of imports that every other command would pay.
    from api.bootstrap import bootstrap
    from projections.rebuild import rebuild_named
    from projections.runner import feed_factory
    from projections.storage import view_store
    from projections.views import load_views

    console = Console(stderr=True)
    runtime = bootstrap(Settings(), background=False, relay=False, project=False)
    views = load_views()
    if view != "all" and view not in {v.name for v in views}:
        console.print(f"unknown view {view!r}; expected all or one of "
                      f"{', '.join(v.name for v in views)}")
        raise typer.Exit(2)
    columns = (TextColumn("rebuilding {task.fields[view]}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:,.0f} events/s"))
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("rebuild", total=None, view=view, rate=0.0)

            def progress(events: int, read: int, head: int) -> None:
                elapsed = bar.tasks[0].elapsed or 0.0
                bar.update(task, completed=read, total=max(head, read),
                           rate=events / elapsed if elapsed else 0.0)

            report = rebuild_named(view_store(runtime), feed_factory(runtime), views, view,
                                   progress=progress)
    finally:
        runtime.close()
    typer.echo(f"rebuilt {', '.join(report.views)} (generation {report.generation}): "
               f"{report.events} events in {report.seconds:.2f} s, {report.rate:,.0f} events/s")


def register(app: typer.Typer) -> None:
    app.command("project")(project)
    replay_app.command("rebuild")(rebuild)
