"""Response schemas of the auditors' router: the signed checkpoint (docs/adr/012)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

HEX64 = "^[0-9a-f]{64}$"


class CheckpointBody(BaseModel):
    """The signed fields, exactly as signed: verify the signature over their canonical JSON."""

    # A field added by a later version must reach the client untouched, or its signature fails.
    model_config = ConfigDict(extra="allow")

    ledger: str = Field(description="The ledger application whose positions these are.")
    position: int = Field(ge=0, description="The highest position the checkpoint covers.")
    events: int = Field(ge=0, description="How many events the ledger held up to `position`.")
    running_hash: str = Field(pattern=HEX64, description="running_i = sha256(running_{i-1} || "
                              "hash_i) over every event hash in position order, from 32 zero "
                              "bytes (hex).")
    previous_position: int = Field(ge=0, description="The previous checkpoint's position.")
    heads: list[tuple[int, str, int, str]] = Field(
        description="[position, stream, version, hash] of the last event of each stream with "
                    "events after `previous_position`.")
    public_key: str = Field(description="The Ed25519 public key (base64 of 32 bytes).")
    signed_at: str = Field(description="When the ledger signed it (UTC, ISO 8601).")


class CheckpointRecordedAt(BaseModel):
    """Where the checkpoint itself sits in the ledger (a CheckpointRecorded event)."""

    stream: str
    version: int
    position: int
    hash: str = Field(pattern=HEX64)


class SignedCheckpointPublic(BaseModel):
    """The ledger's latest signed head; keep it, and verify the store against it later."""

    checkpoint: CheckpointBody
    signature: str = Field(description="Base64 Ed25519 signature over the canonical JSON of "
                                       "`checkpoint` (sorted keys, no spaces, UTF-8).")
    key_id: str = Field(pattern=HEX64, description="SHA-256 of the raw public key (hex).")
    recorded: CheckpointRecordedAt
