"""The composition root: one function assembles a process (server, CLI command) from settings,
with explicit imports of everything it may run; nothing connects at import (docs/adr/019)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kafka import KafkaAdminClient

from ledger.application import utc_today
from ledger.build import build_geography, build_ledger
from ledger.checkpoints import service_for as checkpoint_service
from ledger.expiry import service_for as expiry_service
from ledger.importing.worker import service_for as imports_service
from ledger.relay import service_for as relay_service
from ledger.runtime import Runtime, Service
from ledger.settings import Settings
from projections.runner import service_for as projection_service

# Background services, each a function taking the Runtime and returning a Service, or None
# when the settings do not want it (e.g. the relay without Kafka, or with --no-relay).
SERVICE_BUILDERS: tuple[Callable[[Runtime], Service | None], ...] = (
    relay_service, projection_service, expiry_service, checkpoint_service, imports_service)


def kafka_check(settings: Settings) -> Callable[[], dict[str, object]]:
    """A readiness check that lists the broker's topics with a short timeout."""

    def check() -> dict[str, object]:
        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap,
                                 request_timeout_ms=3000, bootstrap_timeout_ms=3000,
                                 client_id="credit-ledger-readyz")
        try:
            topics = admin.list_topics()
        finally:
            admin.close()
        return {"bootstrap": settings.kafka_bootstrap,
                "topic_present": settings.kafka_topic in topics}

    return check


def bootstrap(
    settings: Settings | None = None, *, background: bool = True,
    clock: Callable[[], date] = utc_today, relay: bool = True, project: bool = True,
    expire: bool = False, checkpoint: bool = False, imports: bool = True,
) -> Runtime:
    """Assemble a process: the ledger, its readiness checks and its background loops."""
    settings = settings or Settings()
    ledger = build_ledger(settings, clock=clock)
    runtime = Runtime(settings=settings, ledger=ledger,
                      wanted={"relay": relay and settings.kafka_enabled, "project": project,
                              "expire": expire, "checkpoint": checkpoint,
                              "imports": imports})
    # The regions table and the authority catalogue, read now: a malformed file stops
    # start-up naming its entry, rather than failing the first read (api/geography.py).
    runtime.extras["geography"] = build_geography(settings)
    runtime.checks["store"] = lambda: {"head_position": ledger.head_position(),
                                       "backend": "postgresql" if settings.is_postgres
                                       else "sqlite"}
    if settings.kafka_enabled:
        runtime.checks["kafka"] = kafka_check(settings)
    if background:
        for build in SERVICE_BUILDERS:
            service = build(runtime)
            if service is not None:
                runtime.services.append(service)
    return runtime
