"""Running a verification as a job: saved when it starts and when it ends, from CLI or API."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from ledger.application import CreditLedger
from ledger.domain.checkpoint import Checkpoint
from ledger.relay.positions import PositionStore
from ledger.settings import Settings
from ledger.signing import trusted_keys
from replay import summary
from replay.anchor import from_file
from replay.report import NoProgress, Progress, Report
from replay.verify import Anchor, KafkaTarget, verify

log = logging.getLogger("credit-ledger.replay")
SOURCES = ("store", "kafka", "both")


class SourceUnavailable(ValueError):
    """Kafka was asked for but is not configured."""


class AlreadyRunning(RuntimeError):
    """A verification of this ledger is already running in this process."""

    def __init__(self, report_id: str) -> None:
        super().__init__(f"verification {report_id} is still running")
        self.report_id = report_id


_running: dict[str, tuple[str, threading.Thread]] = {}  # app name -> (report id, thread)
_running_lock = threading.Lock()


def default_source(settings: Settings) -> str:
    return "both" if settings.kafka_enabled else "store"


def relayed_upto(ledger: CreditLedger, topic: str) -> int | None:
    """The position the relay recorded as flushed to this topic: all before it must be there.

    Without it (another topic, or no relay yet) the highest position on the topic is used.
    """
    return PositionStore(ledger.recorder, application=ledger.name).load(topic) or None


def kafka_target(settings: Settings, source: str, topic: str | None, upto: int | None,
                 ledger: CreditLedger | None = None) -> KafkaTarget | None:
    if source == "store":
        return None
    if not settings.kafka_enabled:
        raise SourceUnavailable(f"--source {source} needs Kafka, and LEDGER_KAFKA_BOOTSTRAP "
                                "is not set")
    assert settings.kafka_bootstrap is not None
    topic = topic or settings.kafka_topic
    if upto is None and ledger is not None:
        upto = relayed_upto(ledger, topic)
    return KafkaTarget(settings.kafka_bootstrap, topic, upto)


def kept_checkpoint(path: Path, settings: Settings) -> Checkpoint:
    """An auditor's kept checkpoint: signed by a listed key when LEDGER_CHECKPOINT_PUBLIC_KEYS
    is set, else by whatever key it names (compared with the published key id by hand)."""
    listed = trusted_keys(settings) if settings.checkpoint_public_keys else None
    return from_file(path, settings.app_name, listed)


def anchor_for(ledger: CreditLedger, settings: Settings,
               kept: Checkpoint | None = None) -> Anchor:
    """Checkpoints signed by a trusted public key (never the private seed: an auditor has
    none), or by the key of the one an auditor kept."""
    trusted = trusted_keys(settings)
    if kept is not None and kept.body["public_key"] not in trusted:
        trusted += (kept.body["public_key"],)
    return Anchor(ledger.name, trusted, kept, settings.checkpoint_every_events,
                  settings.checkpoint_interval_s)


def new_report(settings: Settings, source: str | None) -> Report:
    return Report(source=source or default_source(settings))


def run(ledger: CreditLedger, settings: Settings, report: Report, *, topic: str | None = None,
        upto: int | None = None, progress: Progress | None = None,
        kept: Checkpoint | None = None) -> Report:
    """Verify (against the latest signed checkpoint, or the one an auditor `kept`) and keep
    the report; an unexpected failure is kept too, with its message."""
    target = kafka_target(settings, report.source, topic, upto, ledger)
    summary.save(ledger.recorder, ledger.name, report)
    try:
        verify(ledger.recorder, store=report.source != "kafka", kafka=target,
               progress=progress or NoProgress(), report=report,
               anchor=anchor_for(ledger, settings, kept))
    except Exception as e:  # kept in the summary so the auditor sees why, then re-raised
        report.finish(error=f"{type(e).__name__}: {e}")
        summary.save(ledger.recorder, ledger.name, report)
        raise
    summary.save(ledger.recorder, ledger.name, report)
    return report


def start_in_background(ledger: CreditLedger, settings: Settings, source: str | None) -> Report:
    """Start a verification on a thread; the returned report (running) is already saved."""
    report = new_report(settings, source)
    kafka_target(settings, report.source, None, None)  # refuse now, not on the thread

    def work() -> Any:
        try:
            run(ledger, settings, report)
        except Exception:
            log.exception("verification %s failed", report.id)

    with _running_lock:
        running = _running.get(ledger.name)
        if running and running[1].is_alive():
            raise AlreadyRunning(running[0])  # one full read of the store at a time is enough
        summary.save(ledger.recorder, ledger.name, report)
        thread = threading.Thread(target=work, name=f"verify-{report.id[:8]}", daemon=True)
        _running[ledger.name] = (report.id, thread)
        thread.start()
    return report
