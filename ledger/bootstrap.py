"""One function per process assembles everything from settings; nothing connects at import."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ledger.application import CreditLedger, utc_today
from ledger.domain.calendar import WorkingCalendar
from ledger.repair.lookup import policy_from
from ledger.runtime import Runtime, Service
from ledger.settings import Settings


def build_calendar(settings: Settings) -> WorkingCalendar:
    return WorkingCalendar.national(*settings.holidays_files)


def build_ledger(settings: Settings, *, clock: Callable[[], date] = utc_today) -> CreditLedger:
    env = settings.eventsourcing_env()
    if "SQLITE_DBNAME" in env and env["SQLITE_DBNAME"] != ":memory:":
        Path(env["SQLITE_DBNAME"]).parent.mkdir(parents=True, exist_ok=True)
    env["POSTGRES_ENABLE_DB_FUNCTIONS"] = "n"  # see docs/adr/001-notification-order.md
    return CreditLedger(env, name=settings.app_name, calendar=build_calendar(settings),
                        clock=clock, conflict_retries=settings.conflict_retries,
                        policy=policy_from(settings))


def kafka_check(settings: Settings) -> Callable[[], dict[str, object]]:
    """A readiness check that lists the broker's topics with a short timeout."""

    def check() -> dict[str, object]:
        from kafka import KafkaAdminClient

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
    expire: bool = False, checkpoint: bool = False,
) -> Runtime:
    """Assemble a process: the ledger, its readiness checks and its background loops."""
    settings = settings or Settings()
    ledger = build_ledger(settings, clock=clock)
    runtime = Runtime(settings=settings, ledger=ledger,
                      wanted={"relay": relay and settings.kafka_enabled, "project": project,
                              "expire": expire, "checkpoint": checkpoint})
    runtime.checks["store"] = lambda: {"head_position": ledger.head_position(),
                                       "backend": "postgresql" if settings.is_postgres
                                       else "sqlite"}
    if settings.kafka_enabled:
        runtime.checks["kafka"] = kafka_check(settings)
    if background:
        for path in SERVICE_BUILDERS:
            build = _builder(path)
            service = build(runtime) if build else None
            if service is not None:
                runtime.services.append(service)
    return runtime


# Background services, as "module:function" taking the Runtime and returning a Service or None
# when the settings do not want it (e.g. the relay without Kafka, or with --no-relay).
SERVICE_BUILDERS = ["ledger.relay:service_for", "projections.runner:service_for",
                    "ledger.expiry:service_for", "ledger.checkpoints:service_for"]


def _builder(path: str) -> Callable[[Runtime], Service | None] | None:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name:
            raise
        return None  # that service is not part of this build yet
    builder: Callable[[Runtime], Service | None] = getattr(module, attr)
    return builder
