"""The event envelope and its canonical hash: what auditors recompute."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

GENESIS_HASH = ""
HASHED_FIELDS = (
    "id",
    "type",
    "schema_version",
    "subject",
    "stream",
    "version",
    "occurred_at",
    "recorded_at",
    "authority",
    "actor",
    "data",
    "prev_hash",
)


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, non-ASCII kept as is (docs/events.md)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def envelope_hash(envelope: dict[str, Any]) -> str:
    """SHA-256 hex over the canonical JSON of the envelope without hash and position."""
    body = {k: envelope[k] for k in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def broken_link(envelopes: list[dict[str, Any]]) -> tuple[int, str] | None:
    """The first (version, reason) where a stream's chain breaks, or None if it holds."""
    prev = GENESIS_HASH
    expected_version = 1
    for env in envelopes:
        version = int(env["version"])
        if version != expected_version:
            return version, f"expected version {expected_version}, found {version}"
        problem = link_problem(env, prev)
        if problem:
            return version, problem
        prev = env["hash"]
        expected_version += 1
    return None


def link_problem(env: dict[str, Any], prev_hash: str) -> str | None:
    """Why one event does not hold in its chain after `prev_hash`, or None: what verify and the
    checkpointer both check before they trust an event's hash."""
    if env["prev_hash"] != prev_hash:
        return "prev_hash does not match the previous event's hash"
    if envelope_hash(env) != env["hash"]:
        return "hash does not match the event's content"
    return None
