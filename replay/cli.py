"""The auditors' commands of `credit-ledger replay`: history, state, verify, export, diff."""

from __future__ import annotations

from pathlib import Path

import typer

from ledger.domain.errors import NotFound
from ledger.settings import Settings
from replay import cli_views, render
from replay.regions import regions
from replay.render import fail, print_json
from replay.when import BadTime, parse_as_of, parse_effective

AS_OF_HELP = "Record time: only what the ledger had recorded at or before this instant " \
             "(ISO 8601; a bare date means the end of that day, UTC)."


def history(
    code: str = typer.Argument(..., help="Subject code (USCC or pseudonym)."),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    source: str = typer.Option("store", help="store or kafka."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """A subject's events up to a record time, and its state then."""
    # Here, not at the top: `credit-ledger` imports this module for every command, and the
    # store and projection modules take about a second to import (docs/adr/019).
    from ledger.build import build_ledger
    from replay.history import history as read_history

    settings = Settings()
    try:
        when = parse_as_of(as_of)
        if source == "kafka":
            if not settings.kafka_bootstrap:
                raise fail("--source kafka needs LEDGER_KAFKA_BOOTSTRAP")
            found = read_history(code, when, kafka=(settings.kafka_bootstrap,
                                                    settings.kafka_topic))
        elif source == "store":
            ledger = build_ledger(settings)
            found = read_history(code, when, recorder=ledger.recorder)
        else:
            raise fail(f"--source must be store or kafka, not {source!r}")
    except (BadTime, NotFound) as e:
        raise fail(str(e)) from None
    body = found.as_dict()
    if as_json:
        print_json(body)
    else:
        render.console.print(render.history_table(body))
        if body["checks"]["events"]:
            render.console.print(render.checks_table(body))
        for table in render.fold_tables(body["state"]):
            render.console.print(table)
    if body["chain_break"]:
        raise fail(f"chain broken at version {body['chain_break']['version']}: "
                   f"{body['chain_break']['reason']}", 1)


def state(
    code: str = typer.Argument(..., help="Subject code (USCC or pseudonym)."),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP + " Default: now."),
    effective: str = typer.Option(None, "--effective",
                                  help="Business time: what was in force on this date (ISO), "
                                       "as known at --as-of."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """A subject's profile, lists and score (with explanation) as known at a record time."""
    from ledger.build import build_ledger
    from projections.storage import ViewStore
    from replay.asof import AsOf, led_in_live_views

    settings = Settings()
    ledger = build_ledger(settings)
    store = ViewStore.from_settings(settings)
    try:
        answer = AsOf(ledger.recorder, related=led_in_live_views(store)).state(
            code, parse_as_of(as_of), parse_effective(effective))
    except (BadTime, NotFound) as e:
        raise fail(str(e)) from None
    finally:
        store.close()
    if as_json:
        print_json(answer)
        return
    render.console.print(render.state_headline(answer))
    for table in render.state_tables(render.state_parts(answer)):
        render.console.print(table)


def verify(
    source: str = typer.Option(None, help="store, kafka or both (default: both when Kafka "
                                          "is configured, else store)."),
    topic: str = typer.Option(None, help="Kafka topic (default LEDGER_KAFKA_TOPIC)."),
    upto: int = typer.Option(None, help="Every event up to this position must be on Kafka "
                                        "(default: the relay's recorded position, else the "
                                        "highest found there)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    checkpoint: Path = typer.Option(None, "--checkpoint", dir_okay=False,
                                    help="A checkpoint you kept (the JSON of GET /v1/audit/"
                                         "checkpoints/latest): check the store against it, "
                                         "signed by a key of LEDGER_CHECKPOINT_PUBLIC_KEYS "
                                         "or, that unset, by its own key (compare its key_id "
                                         "with the published one)."),
) -> None:
    """Every stream's hash chain, in the store and on Kafka, and the store against the latest
    signed checkpoint; exit 1 on any break, 2 on a checkpoint that cannot be believed."""
    from ledger.build import build_ledger
    from replay import jobs
    from replay.anchor import BadCheckpoint

    settings = Settings()
    if source is not None and source not in jobs.SOURCES:
        raise fail(f"--source must be one of {', '.join(jobs.SOURCES)}")
    try:
        kept = jobs.kept_checkpoint(checkpoint, settings) if checkpoint is not None else None
    except BadCheckpoint as e:
        raise fail(str(e)) from None
    ledger = build_ledger(settings)
    report = jobs.new_report(settings, source)
    try:
        with render.bars(enabled=not as_json) as bars:
            jobs.run(ledger, settings, report, topic=topic, upto=upto, progress=bars,
                     kept=kept)
    except jobs.SourceUnavailable as e:
        raise fail(str(e)) from None
    if as_json:
        print_json(report.as_dict())
    else:
        render.console.print(render.report_table(report))
        render.console.print(render.report_line(report))
    first = report.first_break
    if first is not None:
        raise fail(f"first break: position {first.position}, stream {first.stream} version "
                   f"{first.version} ({first.where}): {first.reason}", 1)


def export(
    code: str = typer.Argument(..., help="Subject code (USCC or pseudonym)."),
    out: Path = typer.Option(..., "--out", help="NDJSON file to write."),
) -> None:
    """A subject's full history as NDJSON with hashes, verifiable by an outside auditor."""
    from ledger.build import build_ledger
    from replay.export import export as write_export

    ledger = build_ledger(Settings())
    try:
        done = write_export(ledger.recorder, code, out)
    except NotFound as e:
        raise fail(str(e)) from None
    render.console.print(f"{done.events} events of {code} written to {out}; "
                         f"head hash {done.head_hash}")
    if done.chain_break:
        raise fail(f"chain broken at version {done.chain_break[0]}: {done.chain_break[1]}", 1)


def register(replay_app: typer.Typer) -> None:
    for command in (history, state, verify, export):
        replay_app.command(command.__name__)(command)
    cli_views.register(replay_app)
    replay_app.command("regions")(regions)
