"""The signed checkpoints a verification anchors on: the store's, Kafka's, or an auditor's file.

A checkpoint counts only if its signature holds under the trusted key: the ledger's own key
(LEDGER_SIGNING_KEY) or, with `--checkpoint FILE`, the key of the checkpoint the auditor kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ledger.signing import key_id, signature_problem

HEX64 = re.compile(r"[0-9a-f]{64}")


class BadCheckpoint(ValueError):
    """A checkpoint given to verify that cannot be believed: refused, not used."""


@dataclass(frozen=True)
class SignedCheckpoint:
    """One checkpoint whose signature held: what it vouches for, and where it came from."""

    body: dict[str, Any]
    source: str  # "store", "kafka" or "file"
    recorded_at: int | None = None  # the position of the checkpoint event itself

    @property
    def position(self) -> int:
        return int(self.body["position"])

    @property
    def events(self) -> int:
        return int(self.body["events"])

    @property
    def running_hash(self) -> str:
        return str(self.body["running_hash"])

    @property
    def heads(self) -> list[list[Any]]:
        return list(self.body["heads"])

    def summary(self) -> dict[str, Any]:
        """What the report says about the checkpoint it checked against."""
        return {"source": self.source, "position": self.position, "events": self.events,
                "running_hash": self.running_hash, "signed_at": self.body.get("signed_at"),
                "key_id": key_id(self.body["public_key"]), "recorded_at": self.recorded_at}


def shape_problem(body: Any) -> str | None:
    """Why a body is not a well-formed checkpoint (checked before its numbers are used)."""
    if not isinstance(body, dict):
        return "the checkpoint is not a JSON object"
    for name in ("position", "events", "previous_position"):
        value = body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"checkpoint field {name} must be a non-negative integer"
    if not isinstance(body.get("running_hash"), str) or not HEX64.fullmatch(body["running_hash"]):
        return "checkpoint field running_hash must be 64 lowercase hex digits"
    heads = body.get("heads")
    if not isinstance(heads, list) or not all(
            isinstance(h, list) and len(h) == 4 and isinstance(h[0], int)
            and isinstance(h[1], str) and isinstance(h[2], int) and isinstance(h[3], str)
            for h in heads):
        return "checkpoint field heads must be a list of [position, stream, version, hash]"
    return None


def believe(signed: Any, source: str, trusted_key: str | None,
            recorded_at: int | None = None) -> SignedCheckpoint | str:
    """The checkpoint in {"checkpoint": ..., "signature": ...}, or why it is not believed."""
    if not isinstance(signed, dict):
        return "not a signed checkpoint (expected {\"checkpoint\": {...}, \"signature\": ...})"
    body = signed.get("checkpoint")
    problem = (signature_problem(body, signed.get("signature"), trusted_key)
               or shape_problem(body))
    if problem is not None or not isinstance(body, dict):
        return problem or "the checkpoint is not a JSON object"
    return SignedCheckpoint(body, source, recorded_at)


def from_file(path: Path) -> SignedCheckpoint:
    """The checkpoint an auditor kept (the JSON of GET /v1/audit/checkpoints/latest), trusted
    under its own key: the auditor compares its key id with the published one."""
    try:
        signed = orjson.loads(path.read_bytes())
    except OSError as e:
        raise BadCheckpoint(f"cannot read {path}: {e.strerror}") from None
    except orjson.JSONDecodeError:
        raise BadCheckpoint(f"{path} is not JSON") from None
    recorded = signed.get("recorded") if isinstance(signed, dict) else None
    at = recorded.get("position") if isinstance(recorded, dict) else None
    found = believe(signed, "file", None, at if isinstance(at, int) else None)
    if isinstance(found, str):
        raise BadCheckpoint(f"{path} refused: {found}")
    return found
