"""`credit-ledger checkpoint`: sign and record the ledger's head now (docs/adr/012)."""

from __future__ import annotations

import orjson
import typer

from ledger.settings import Settings


def register(app: typer.Typer) -> None:
    app.command()(checkpoint)


def checkpoint(
    as_json: bool = typer.Option(False, "--json",
                                 help="Print the latest checkpoint as GET "
                                      "/v1/audit/checkpoints/latest serves it (keep it to "
                                      "verify against later)."),
) -> None:
    """Record a signed checkpoint of every event so far (nothing when nothing is new)."""
    from api.bootstrap import bootstrap  # here: a second of imports (docs/adr/019)
    from ledger.checkpoints import UnsafeToSign, checkpointer_for, latest

    runtime = bootstrap(Settings(), background=False)
    try:
        made = checkpointer_for(runtime).record(force=True)
        current = latest(runtime.ledger)
    except UnsafeToSign as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
    finally:
        runtime.close()
    if as_json:
        typer.echo(orjson.dumps(current.public() if current else None,
                                option=orjson.OPT_INDENT_2).decode())
        return
    if current is None:
        typer.echo("the ledger holds no event yet: nothing to sign")
        return
    b = current.body
    verb = f"recorded {len(made)} checkpoint(s); latest" if made else "nothing new; latest"
    typer.echo(f"{verb} covers position {b['position']} ({b['events']} events), running hash "
               f"{b['running_hash']}, key id {current.public()['key_id']}; recorded at "
               f"position {current.recorded_at}")
