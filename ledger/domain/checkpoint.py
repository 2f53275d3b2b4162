"""Signed checkpoints: the ledger's head (position, event count, running hash), as
certificate-transparency logs publish signed tree heads (docs/adr/012).

The running hash folds every event's hash in position order:
``running_0`` is 32 zero bytes, ``running_i = sha256(running_{i-1} || hash_i)`` over the raw
32-byte digests, written as hex. Deleting, reordering or rewriting any event up to a
checkpoint's position changes it, and the signature makes it impossible to forge a new one.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from hashlib import sha256
from typing import Any
from uuid import UUID

from ledger.domain.events import LedgerEvent, stream_id

ZERO_RUNNING = "00" * 32
CHECKPOINT_TYPE = "CheckpointRecorded"
# A checkpoint is about the whole ledger, not one subject: this stands in the envelope's
# `subject` (and so is the Kafka key); no subject code (USCC or pseudonym) can look like it.
LEDGER_SUBJECT = "ledger"
SIGNER = "checkpointer"
# The fields of a checkpoint that its signature covers, all inside data["checkpoint"].
SIGNED_FIELDS = ("ledger", "position", "events", "running_hash", "previous_position", "heads",
                 "public_key", "signed_at")


def key_id(public_key_b64: str) -> str:
    """SHA-256 (hex) of the raw public key: a short name to compare out of band."""
    return sha256(base64.b64decode(public_key_b64)).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """Where a checkpoint event itself sits in the ledger (after the positions it covers)."""

    stream: str
    version: int
    position: int | None
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """A signed checkpoint, wherever it was read (store, Kafka, an auditor's file).

    `covers` is the highest position it vouches for (body["position"]); `recorded` says where
    the CheckpointRecorded event itself sits, a later position. The two are never confused.
    """

    body: dict[str, Any]
    signature: str
    source: str = "store"  # "store", "kafka" or "file"
    recorded: Recorded | None = None

    @property
    def covers(self) -> int:
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

    @property
    def recorded_at(self) -> int | None:
        return self.recorded.position if self.recorded else None

    def public(self) -> dict[str, Any]:
        """What GET /v1/audit/checkpoints/latest serves and an auditor keeps."""
        return {"checkpoint": self.body, "signature": self.signature,
                "key_id": key_id(self.body["public_key"]),
                "recorded": asdict(self.recorded) if self.recorded else None}

    def summary(self) -> dict[str, Any]:
        """What a verification report says about the checkpoint it checked against."""
        return {"source": self.source, "position": self.covers, "events": self.events,
                "running_hash": self.running_hash, "signed_at": self.body.get("signed_at"),
                "key_id": key_id(self.body["public_key"]), "recorded_at": self.recorded_at}


def checkpoint_stream(ledger_name: str) -> UUID:
    """One checkpoint stream per ledger application (each has its own positions)."""
    return stream_id("checkpoints", ledger_name.lower())


def extend_running(running: bytes, event_hash: str) -> bytes:
    """One step of the running hash: sha256(previous running digest || this event's digest)."""
    return sha256(running + bytes.fromhex(event_hash)).digest()


def running_hash(hashes: list[str], start: str = ZERO_RUNNING) -> str:
    """The running hash after these event hashes (in position order), from `start`."""
    running = bytes.fromhex(start)
    for event_hash in hashes:
        running = extend_running(running, event_hash)
    return running.hex()


class CheckpointRecorded(LedgerEvent):
    """The ledger signed its head: data = {"checkpoint": {...signed fields}, "signature"}.

    `heads` lists, for each stream with events in (previous_position, position], its last
    event there as [position, stream, version, hash]: what lets verify name a stream whose
    events were deleted outright.
    """


def is_checkpoint(envelope: dict[str, Any]) -> bool:
    return envelope.get("type") == CHECKPOINT_TYPE
