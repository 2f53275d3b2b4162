"""`credit-ledger serve`: the HTTP API and, in the same process, the background services."""

from __future__ import annotations

import logging

import typer

from api.commands.logs import configure_logging
from ledger.settings import Settings


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    relay: bool = typer.Option(True, "--relay/--no-relay",
                               help="Run the Kafka relay in this process (Kafka mode only)."),
    project: bool = typer.Option(True, "--project/--no-project",
                                 help="Run the projection runner in this process."),
    expire: bool = typer.Option(True, "--expire/--no-expire",
                                help="Run the publicity expiry process in this process."),
    checkpoint: bool = typer.Option(True, "--checkpoint/--no-checkpoint",
                                    help="Record signed checkpoints in this process."),
    imports: bool = typer.Option(True, "--imports/--no-imports",
                                 help="Run uploaded files' import jobs in this process."),
) -> None:
    """Serve the HTTP API (store from LEDGER_DATABASE_URL, Kafka from LEDGER_KAFKA_BOOTSTRAP)."""
    # Imported when the command runs: together they take about a second to import, which
    # every other command would otherwise pay too (docs/adr/019).
    import uvicorn

    from api.app import create_app
    from api.bootstrap import bootstrap
    from ledger.generator.demo import load_demo_if_empty

    configure_logging()
    settings = Settings()
    runtime = bootstrap(settings, background=True, relay=relay, project=project,
                        expire=expire, checkpoint=checkpoint, imports=imports)
    mode = (f"Kafka at {settings.kafka_bootstrap}" if settings.kafka_enabled
            else "embedded (no Kafka)")
    logging.getLogger("credit-ledger").info("store %s, %s", settings.database_url.split("@")[-1],
                                            mode)
    load_demo_if_empty(runtime)  # an empty store gets a small generated city; LEDGER_DEMO=0 skips
    # log_config=None: uvicorn's loggers propagate to our root handler, which masks ID numbers
    # that a careless caller puts in a URL.
    uvicorn.run(create_app(runtime), host=host, port=port, log_level="info", log_config=None)
