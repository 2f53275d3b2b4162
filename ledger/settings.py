"""One settings object per process, read from LEDGER_* environment variables."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_PSEUDONYM_KEY = "development-only-pseudonym-key"
# The Ed25519 seed that signs checkpoints when LEDGER_SIGNING_KEY is unset: public, so that a
# development checkpoint proves nothing; production refuses it (docs/adr/012).
DEV_SIGNING_KEY = "ZGV2ZWxvcG1lbnQtb25seSBjaGVja3BvaW50IGtleSE="


def seed_bytes(text: str, setting: str = "LEDGER_SIGNING_KEY", what: str = "seed") -> bytes:
    """A 32-byte Ed25519 seed (or public key) written as 64 hex digits or as base64."""
    text = text.strip()
    try:
        seed = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        seed = b""
    if len(seed) != 32:
        raise ValueError(f"{setting}: expected a 32-byte Ed25519 {what} as 64 hex digits "
                         "or base64")
    return seed


def public_key_b64(text: str) -> str:
    """An Ed25519 public key of LEDGER_CHECKPOINT_PUBLIC_KEYS, as checkpoints name it (base64)."""
    return base64.b64encode(seed_bytes(text, "LEDGER_CHECKPOINT_PUBLIC_KEYS",
                                       "public key")).decode()


class Settings(BaseSettings):
    """Everything a process needs to assemble itself; nothing connects here."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/ledger.sqlite3"
    kafka_bootstrap: str | None = None
    kafka_topic: str = "credit.events"
    kafka_partitions: int = Field(default=6, ge=1, le=1000)
    app_name: str = "CreditLedger"
    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)
    tokens_file: Path | None = None
    holidays_files: list[Path] = Field(default_factory=list)
    # The authority catalogue (ledger/domain/authorities.py): unset means the demo city's.
    authorities_file: Path | None = None
    # The monitoring units and their population (ledger/domain/regions.py): unset, the demo's.
    regions_file: Path | None = None
    # The credit-check scenarios and measures (ledger/domain/scenarios.py): unset, the shipped.
    scenarios_file: Path | None = None
    lock_timeout_ms: int = Field(default=5000, ge=1)
    pool_size: int = Field(default=8, ge=1)
    conflict_retries: int = Field(default=3, ge=0)
    demo: bool = True
    demo_subjects: int = Field(default=200, ge=1)
    relay_batch: int = Field(default=2000, ge=1)
    project_batch: int = Field(default=2000, ge=1)
    # Where the projections keep their views: unset means the event store's own database
    # (the same SQLite file in embedded mode, the same PostgreSQL database otherwise).
    views_database_url: str | None = None
    # Credit repair (ledger/repair/): deadlines in working days, and a JSON file that may
    # override the non-repairable conduct codes and listing periods (ledger.domain.repair).
    repair_decision_days: int = Field(default=10, ge=1)
    repair_notify_days: int = Field(default=3, ge=1)
    repair_policy_file: Path | None = None
    # Four eyes: the officer who accepted a repair case may not approve or reject it.
    repair_four_eyes: bool = True
    # The expiry process (ledger/expiry.py): seconds between runs in `serve`.
    expiry_interval_s: float = Field(default=3600.0, gt=0)
    # Readers waiting for `min_position` at a time (api/readiness.py); the next get 503.
    max_waiting_readers: int = Field(default=8, ge=0)
    # Signed checkpoints (ledger/checkpoints.py, docs/adr/012): the Ed25519 private seed
    # (32 bytes, base64 or hex), and how often `serve` records one.
    signing_key: SecretStr = SecretStr(DEV_SIGNING_KEY)
    checkpoint_every_events: int = Field(default=1000, ge=1, le=100_000)
    checkpoint_interval_s: float = Field(default=300.0, gt=0)
    # The public keys `replay verify` trusts (JSON list, base64 or hex; list old and new to
    # rotate). Empty: the public key of signing_key. An auditor needs only these, no seed.
    checkpoint_public_keys: list[str] = Field(default_factory=list)
    # The CJK font credit reports embed (api/report_font.py): unset means Debian's
    # fonts-wqy-microhei, else fonts-noto-cjk's Sans SC.
    report_font: Path | None = None
    # The public portal's name in page titles and its header (api/portal/, docs/adr/024).
    portal_title: str = Field(default="信用盘锦", min_length=1, max_length=40)
    # Uploads over HTTP (ledger/importing/jobs.py, docs/adr/021): where the files and the jobs'
    # state are kept (unset: `imports` beside the SQLite store, var/imports with PostgreSQL),
    # and the largest file accepted (413 above it). Finished jobs (their state and report) are
    # removed after imports_keep_days.
    imports_dir: Path | None = None
    imports_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    imports_keep_days: int = Field(default=90, ge=1, le=36500)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.pseudonym_key.get_secret_value() == DEV_PSEUDONYM_KEY:
                raise ValueError("LEDGER_PSEUDONYM_KEY must be set in production")
            if self.tokens_file is None:
                raise ValueError("LEDGER_TOKENS_FILE must be set in production")
            # A verifying process may hold the public keys only; signing then refuses
            # (ledger.signing.Signer.from_settings).
            if not self.checkpoint_public_keys and self.dev_signing_key:
                raise ValueError("LEDGER_SIGNING_KEY must be set in production: the "
                                 "development key is public")
        seed_bytes(self.signing_key.get_secret_value())  # fail early on a malformed key
        for key in self.checkpoint_public_keys:
            public_key_b64(key)
        self.database_url_parts()  # fail early on a malformed URL
        return self

    @property
    def dev_signing_key(self) -> bool:
        return seed_bytes(self.signing_key.get_secret_value()) == seed_bytes(DEV_SIGNING_KEY)

    @property
    def kafka_enabled(self) -> bool:
        return bool(self.kafka_bootstrap)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def imports_root(self) -> Path:
        """This ledger's upload jobs: one directory per application (its own tables)."""
        base = self.imports_dir
        if base is None:
            parts = self.database_url_parts()
            base = (Path(parts["SQLITE_DBNAME"]).parent / "imports"
                    if "SQLITE_DBNAME" in parts else Path("var/imports"))
        return base / self.app_name

    def database_url_parts(self) -> dict[str, str]:
        """The eventsourcing environment for LEDGER_DATABASE_URL."""
        url = urlparse(self.database_url)
        if url.scheme == "sqlite":
            path = self.database_url[len("sqlite:///") :] if url.netloc == "" else ""
            if not path:
                raise ValueError("LEDGER_DATABASE_URL: expected sqlite:///PATH")
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
        if url.scheme in ("postgresql", "postgres"):
            return {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": url.path.lstrip("/") or "ledger",
                "POSTGRES_HOST": url.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(url.port or 5432),
                "POSTGRES_USER": unquote(url.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(url.password or ""),
            }
        raise ValueError(
            f"LEDGER_DATABASE_URL: unsupported scheme {url.scheme!r}; "
            "expected sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
        )

    def eventsourcing_env(self) -> dict[str, str]:
        env = self.database_url_parts()
        if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
            env |= {
                # Never POSTGRES_ENABLE_DB_FUNCTIONS: it drops the lock that keeps
                # notification ids in commit order (see docs/adr/001).
                "POSTGRES_LOCK_TIMEOUT": str(max(1, self.lock_timeout_ms // 1000)),
                "POSTGRES_POOL_SIZE": str(self.pool_size),
                "POSTGRES_MAX_OVERFLOW": str(self.pool_size),
                "POSTGRES_CONNECT_TIMEOUT": "10",
                "POSTGRES_PRE_PING": "y",
            }
        else:
            env["SQLITE_LOCK_TIMEOUT"] = str(max(1, self.lock_timeout_ms // 1000))
        return env
