"""A digest of the serving views: equal digests mean equal view contents, on any backend."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import orjson

from projections.catalog import generations
from projections.storage import ViewStore


def normalise(value: Any) -> Any:
    """One spelling per value across SQLite and PostgreSQL (booleans, decimals, floats)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


def table_digests(store: ViewStore) -> dict[str, str]:
    """sha256 per logical view table, over its rows sorted by their canonical JSON."""
    out: dict[str, str] = {}
    with store.reader() as tx:
        tables = sorted(t for _, _, names in generations(tx).values() for t in names)
        for table in tables:
            rows = sorted(orjson.dumps([normalise(v) for v in row])
                          for row in tx.fetchall(f"SELECT * FROM {tx.t(table)}"))
            h = hashlib.sha256()
            for row in rows:
                h.update(row + b"\n")
            out[table] = h.hexdigest()
    return out


def digest(store: ViewStore) -> str:
    """One sha256 over every view table's digest."""
    return hashlib.sha256(orjson.dumps(table_digests(store), option=orjson.OPT_SORT_KEYS)
                          ).hexdigest()
