"""The view store: view tables, consumed offsets and dedupe state in SQLite or PostgreSQL.

Embedded mode keeps the views in the event store's own SQLite file; with PostgreSQL they go
to LEDGER_VIEWS_DATABASE_URL, or else the database of LEDGER_DATABASE_URL. Every table name
starts with the application's name, so several ledgers (and tests) can share one database.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ledger.settings import Settings
from ledger.store.sql import POSTGRES, SQLITE
from projections import catalog

# Re-exported: the view store hands these out, and its callers name them from here.
from projections.held import Held
from projections.spool import Spool
from projections.tx import Tx as Tx
from projections.tx import ViewsNotReady as ViewsNotReady

NAMES_TTL = 1.0  # seconds a reader may reuse the serving generation's table names


def table_prefix(app_name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", app_name.lower())


def views_url(settings: Settings) -> str:
    """Where views live: the optional views URL, else the event store's own database."""
    return settings.views_database_url or settings.database_url


class ViewStore:
    """Connections to the view database, and table naming by generation."""

    def __init__(self, url: str, prefix: str, *, pool_size: int = 4) -> None:
        self.url, self.prefix, self.pool_size = url, prefix, pool_size
        self.dialect = SQLITE if url.startswith("sqlite") else POSTGRES
        self._pool: Any = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._catalog_ready = False
        self._names: tuple[float, dict[str, str]] | None = None
        self.held: Held | None = None  # a rebuild stage's held counters (projections.stage)
        self.spool: Spool | None = None  # and its spooled rows (projections.spool)
        # A rebuild stage's batches all run in the one transaction the stage opened
        # (projections.stage.open_stage), which `write_held` commits.
        self.open_ended = False
        self.open_ended_failed = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ViewStore:
        return cls(views_url(settings), table_prefix(settings.app_name),
                   pool_size=settings.pool_size)

    @property
    def sqlite_path(self) -> str:
        return self.url[len("sqlite:///"):]

    def physical(self, table: str, generation: int | None = None) -> str:
        if generation is None:
            return f"{self.prefix}_{table}"
        return f"{self.prefix}_{table}_g{generation}"

    def catalog_names(self) -> dict[str, str]:
        return {name: self.physical(name) for name in catalog.TABLES}

    @property
    def lock_key(self) -> int:
        return zlib.crc32(self.prefix.encode()) - 2**31

    # -- connections -------------------------------------------------------------

    def connect(self) -> Any:
        """A dedicated writer connection (runner, rebuild); the caller closes it."""
        if self.dialect == SQLITE:
            Path(self.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives process crashes
            return conn
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    @contextmanager
    def transaction(self, conn: Any, names: Mapping[str, str] | None = None,
                    *, pipeline: bool = False, lock: bool = True) -> Iterator[Tx]:
        """One write transaction, serialised with every other writer of this view set."""
        names = dict(names or {}) | self.catalog_names()
        if self.dialect == SQLITE:
            cur = conn.cursor()
            if self.open_ended and conn.in_transaction:
                try:
                    yield Tx(cur, SQLITE, names, self.held, self.spool)
                except BaseException:
                    self.open_ended_failed = True  # its rows are half in: never commit them
                    raise
                return
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(cur, SQLITE, names, self.held, self.spool)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return
        with conn.transaction(), conn.cursor() as cur:
            if lock:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            if pipeline:
                with conn.pipeline():
                    yield Tx(cur, POSTGRES, names)
            else:
                yield Tx(cur, POSTGRES, names)

    @contextmanager
    def reader(self) -> Iterator[Tx]:
        """A consistent read of the current generation of every view."""

        self.ensure_catalog()
        if self.dialect == SQLITE:
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = self.connect()
            cur = conn.cursor()
            cur.execute("BEGIN")
            try:
                tx = Tx(cur, SQLITE, self.catalog_names())
                tx.names.update(self._serving_names(tx))
                yield tx
            finally:
                conn.execute("COMMIT")
            return
        # Reader sessions default to REPEATABLE READ, READ ONLY (see _configure): no round trip.
        with self._readers().connection() as pconn, pconn.transaction(), pconn.cursor() as cur:
            tx = Tx(cur, POSTGRES, self.catalog_names())
            tx.names.update(self._serving_names(tx))
            yield tx

    @contextmanager
    def statement_reader(self) -> Iterator[Tx]:
        """A pooled PostgreSQL reader outside any transaction, for reads of ONE statement.

        One statement sees one snapshot by itself, so it needs no BEGIN and COMMIT round trips.
        """
        self.ensure_catalog()
        with self._readers().connection() as pconn, pconn.cursor() as cur:
            tx = Tx(cur, POSTGRES, self.catalog_names())
            tx.names.update(self._serving_names(tx))
            yield tx

    def _serving_names(self, tx: Tx) -> dict[str, str]:
        """The serving generation's table names, re-read at most every NAMES_TTL seconds.

        Safe because a swapped-out generation is dropped only after rebuild.GRACE_SECONDS
        (longer than NAMES_TTL), and this process forgets its names when it swaps itself.
        """
        cached = self._names
        if cached is not None and time.monotonic() - cached[0] < NAMES_TTL:
            return cached[1]
        names = catalog.current_names(self, tx)
        if names:  # views not built yet are looked up again on the next read
            self._names = (time.monotonic(), names)
        return names

    def forget_names(self) -> None:
        """Generations changed in this process: read the names afresh next time."""
        self._names = None

    @staticmethod
    def _configure(conn: Any) -> None:
        conn.execute("SET default_transaction_isolation = 'repeatable read'")
        conn.execute("SET default_transaction_read_only = on")

    def _readers(self) -> Any:
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(self.url, min_size=1, max_size=self.pool_size,
                                            kwargs={"autocommit": True}, open=True,
                                            configure=self._configure,
                                            name=f"views-{self.prefix}")
            return self._pool

    def ensure_catalog(self) -> None:
        if self._catalog_ready:
            return
        conn = self.connect()
        try:
            with self.transaction(conn) as tx:
                catalog.create(tx)
        finally:
            conn.close()
        self._catalog_ready = True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def view_store(runtime: Any) -> ViewStore:
    """The process's one view store (built on first use, closed with the runtime)."""
    with _runtime_lock:
        store: ViewStore | None = runtime.extras.get("view_store")
        if store is None:
            store = runtime.extras["view_store"] = ViewStore.from_settings(runtime.settings)
            runtime.extras.setdefault("closers", []).append(store.close)
        return store


_runtime_lock = threading.Lock()
