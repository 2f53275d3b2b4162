"""`credit-ledger relay`: publish every recorded event to Kafka, in the foreground."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer

from api.commands.logs import configure_logging
from ledger.settings import Settings

log = logging.getLogger("credit-ledger.relay")


def relay(
    batch: int = typer.Option(0, help="Events per flush (default LEDGER_RELAY_BATCH)."),
) -> None:
    """Follow the store's notification log and publish to LEDGER_KAFKA_TOPIC until stopped."""
    from api.bootstrap import bootstrap  # here: a second of imports (docs/adr/019)
    from ledger.relay import Relay, TopicRefused, ensure_topic

    configure_logging()
    settings = Settings()
    if not settings.kafka_enabled:
        typer.echo("credit-ledger relay: LEDGER_KAFKA_BOOTSTRAP is not set; "
                   "there is nothing to relay to in embedded mode", err=True)
        raise typer.Exit(2)
    runtime = bootstrap(settings, background=False, relay=True, project=False)
    try:
        # A topic that would delete history is an operator's error: say so and stop.
        ensure_topic(settings.kafka_bootstrap or "", settings.kafka_topic,
                     settings.kafka_partitions)
    except TopicRefused as e:
        typer.echo(f"credit-ledger relay: {e}", err=True)
        runtime.close()
        raise typer.Exit(3) from None
    except Exception as e:  # the broker may be down at start: the relay's loop retries
        log.warning("cannot check the topic yet (%s: %s); the relay will retry",
                    type(e).__name__, e)
    stop = threading.Event()

    def on_signal(signum: int, _: FrameType | None) -> None:
        log.info("signal %s: finishing the current batch, then stopping",
                 signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        Relay(settings, runtime.ledger, batch=batch or None).run(stop)
    finally:
        runtime.close()


def register(app: typer.Typer) -> None:
    app.command()(relay)
