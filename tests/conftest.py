"""Shared fixtures: real services, fresh stores, and the rule that CI never skips."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL",
                        "postgresql://ledger:ledger@127.0.0.1:5432/ledger_test")
KAFKA = os.environ.get("LEDGER_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_missing(what: str, how: str) -> None:
    """Under CI=true a missing service fails the run; locally it skips with the same advice."""
    message = f"{what} is not reachable; start it with `{how}`"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def pg_url() -> str:
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as e:
        service_missing(f"PostgreSQL at {PG_URL.split('@')[-1]} ({e})", "scripts/services up")
    return PG_URL


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    host, port = KAFKA.split(":")
    if not _port_open(host, int(port)):
        service_missing(f"Apache Kafka at {KAFKA}", "scripts/services up kafka")
    from kafka import KafkaAdminClient

    try:
        KafkaAdminClient(bootstrap_servers=KAFKA, request_timeout_ms=5000).close()
    except Exception as e:  # any client failure means the broker is not usable
        service_missing(f"Apache Kafka at {KAFKA} ({e})", "scripts/services up kafka")
    return KAFKA


@pytest.fixture
def unique_name() -> str:
    """A fresh application name, so each test gets its own tables."""
    return "T" + uuid.uuid4().hex[:12]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


@pytest.fixture
def topic_name() -> str:
    return f"test.{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on the embedded SQLite store and on real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    else:
        yield request.getfixturevalue("pg_url")
