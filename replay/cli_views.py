"""`replay diff`, and `replay rebuild` into a private target (as of T, from either feed)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

import typer

from ledger.settings import Settings
from replay import render
from replay.render import fail, print_json
from replay.when import BadTime, parse_as_of

SOURCE_HELP = "Feed to rebuild from: store or kafka (default: the live runner's feed)."


def feed_source(settings: Settings, source: str | None) -> str:
    source = source or ("kafka" if settings.kafka_enabled else "store")
    if source not in ("store", "kafka"):
        raise fail(f"--source must be store or kafka, not {source!r}")
    if source == "kafka" and not settings.kafka_enabled:
        raise fail("--source kafka needs LEDGER_KAFKA_BOOTSTRAP")
    return source


def diff(
    source: str = typer.Option(None, help=SOURCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the differences as JSON."),
) -> None:
    """Rebuild every view in memory and compare it with the live views, row by row; exit 1
    on any difference."""
    # Here, not at the top: `credit-ledger` imports this module for every command, and the
    # store and projection modules take about a second to import (docs/adr/019).
    from ledger.build import build_ledger
    from projections.storage import ViewStore
    from projections.views import load_views
    from replay.diff import diff as run_diff
    from replay.sidebuild import open_feed

    settings = Settings()
    ledger = build_ledger(settings)
    store = ViewStore.from_settings(settings)
    feed = open_feed(settings, ledger.recorder, feed_source(settings, source))
    try:
        with render.bars(enabled=not as_json) as bars:
            result = run_diff(store, feed, load_views(), progress=bars)
    except LookupError as e:
        raise fail(str(e).strip('"')) from None
    finally:
        feed.close()
        store.close()
    if as_json:
        print_json({"same": result.same, "streams": result.streams, "lacking": result.lacking,
                    "events": result.built.events, "tables": [asdict(t) for t in result.tables]})
    else:
        for table in render.diff_tables(result):
            render.console.print(table)
    if not result.same:
        changed = [t.table for t in result.tables if not t.same]
        raise fail(f"rebuilt views differ from the live ones in {', '.join(changed) or 'none'}"
                   + (f"; {len(result.lacking)} streams lack events" if result.lacking else ""),
                   1)


def side_rebuild(view: str, source: str | None, as_of: str | None, into: str | None,
                 in_memory: bool, as_json: bool = False) -> None:
    """Rebuild views into memory or a schema of their own, as of a record time."""
    if not (into or in_memory) or (into and in_memory):
        raise fail("--source and --as-of rebuild beside the live views: give exactly one of "
                   "--into SCHEMA or --in-memory")
    from ledger.build import build_ledger
    from projections.storage import views_url
    from projections.views import load_views
    from replay.diff import rows_of
    from replay.memory import MemoryViews
    from replay.schema_views import SchemaViews
    from replay.sidebuild import Cut, build, open_feed

    settings = Settings()
    try:
        cut = Cut(as_of=parse_as_of(as_of))
        views = load_views(None if view == "all" else [view])
    except (BadTime, KeyError) as e:
        raise fail(str(e).strip('"')) from None
    ledger = build_ledger(settings)
    feed = open_feed(settings, ledger.recorder, feed_source(settings, source))
    try:
        target = SchemaViews(views, views_url(settings), into) if into else MemoryViews(views)
    except ValueError as e:
        raise fail(str(e)) from None
    try:
        with render.bars(enabled=not as_json) as bars:
            built = build(feed, target, cut, progress=bars)
        tx = target.tx()
        tables = {}
        for table in sorted(target.names):
            rows = sorted(rows_of(tx, table).elements())  # the digest's own canonical rows
            tables[table] = {"rows": len(rows),
                             "sha256": hashlib.sha256(b"".join(r + b"\n" for r in rows))
                             .hexdigest()}
    finally:
        target.close()
        feed.close()
    where = f"schema {into}" if into else "memory (discarded)"
    summary = {"views": [v.name for v in views], "into": where, "as_of": cut.as_of,
               "events": built.events, "seconds": round(built.seconds, 3),
               "events_per_s": round(built.rate), "tables": tables}
    if as_json:
        print_json(summary)
        return
    render.console.print(render.rebuild_table(summary))
    render.console.print(f"{built.events} events into {where} in {built.seconds:.2f} s "
                         f"({built.rate:,.0f} events/s)")


def register(replay_app: typer.Typer) -> None:
    replay_app.command("diff")(diff)
