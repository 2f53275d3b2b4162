"""The signed checkpoints a verification anchors on: the store's, Kafka's, or an auditor's file.

A checkpoint counts only if it is for this ledger, carries exactly the signed fields, and its
signature holds under a trusted key (LEDGER_CHECKPOINT_PUBLIC_KEYS, by default the public key
of LEDGER_SIGNING_KEY; with `--checkpoint FILE`, also the key of the checkpoint kept).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import orjson

from ledger.domain.checkpoint import SIGNED_FIELDS, Checkpoint, Recorded
from ledger.signing import signature_problem

HEX64 = re.compile(r"[0-9a-f]{64}")


class BadCheckpoint(ValueError):
    """A checkpoint given to verify that cannot be believed: refused, not used."""


def shape_problem(body: Any, ledger_name: str) -> str | None:
    """Why a body is not a well-formed checkpoint of this ledger (checked before its numbers
    are used): exactly the signed fields, `ledger` naming this ledger."""
    if not isinstance(body, dict):
        return "the checkpoint is not a JSON object"
    if sorted(body) != sorted(SIGNED_FIELDS):
        return f"checkpoint fields must be exactly {', '.join(SIGNED_FIELDS)}"
    if body["ledger"] != ledger_name:
        return f"the checkpoint is for ledger {body['ledger']!r}, not {ledger_name!r}"
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


def believe(signed: Any, source: str, trusted: Collection[str] | None, ledger_name: str,
            recorded: Recorded | None = None) -> Checkpoint | str:
    """The checkpoint in {"checkpoint": ..., "signature": ...}, or why it is not believed."""
    if not isinstance(signed, dict):
        return "not a signed checkpoint (expected {\"checkpoint\": {...}, \"signature\": ...})"
    body, signature = signed.get("checkpoint"), signed.get("signature")
    problem = (signature_problem(body, signature, trusted)
               or shape_problem(body, ledger_name))
    if problem is not None or not isinstance(body, dict) or not isinstance(signature, str):
        return problem or "the checkpoint is not a JSON object"
    return Checkpoint(body, signature, source, recorded)


def from_file(path: Path, ledger_name: str, trusted: Collection[str] | None) -> Checkpoint:
    """The checkpoint an auditor kept (the JSON of GET /v1/audit/checkpoints/latest). With
    `trusted` (LEDGER_CHECKPOINT_PUBLIC_KEYS set) its key must be listed; without, it is
    trusted under its own key: the auditor compares its key id with the published one."""
    try:
        signed = orjson.loads(path.read_bytes())
    except OSError as e:
        raise BadCheckpoint(f"cannot read {path}: {e.strerror}") from None
    except orjson.JSONDecodeError:
        raise BadCheckpoint(f"{path} is not JSON") from None
    found = believe(signed, "file", trusted, ledger_name, _recorded(signed))
    if isinstance(found, str):
        raise BadCheckpoint(f"{path} refused: {found}")
    return found


def _recorded(signed: Any) -> Recorded | None:
    r = signed.get("recorded") if isinstance(signed, dict) else None
    if not isinstance(r, dict):
        return None
    try:
        return Recorded(str(r["stream"]), int(r["version"]), int(r["position"]), str(r["hash"]))
    except (TypeError, KeyError, ValueError):
        return None  # where it was recorded is a convenience, not what the signature covers
