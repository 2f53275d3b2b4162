"""Ed25519 signatures over checkpoints (the `cryptography` package; docs/adr/012).

A checkpoint's signature is Ed25519 over the canonical JSON of data["checkpoint"] (sorted
keys, no spaces, UTF-8: the same canonical form as event hashes). The public key travels
inside the signed body as base64 of its 32 raw bytes; its key id is the SHA-256 of those bytes
in hex, what an auditor compares with the one the ledger's operator publishes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.domain.checkpoint import key_id
from ledger.domain.envelope import canonical_json
from ledger.settings import Settings, public_key_b64, seed_bytes


class Signer:
    """The ledger's checkpoint key, from LEDGER_SIGNING_KEY."""

    def __init__(self, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key = base64.b64encode(raw).decode()
        self.key_id = key_id(self.public_key)

    @classmethod
    def from_settings(cls, settings: Settings) -> Signer:
        if settings.env == "production" and settings.dev_signing_key:
            raise ValueError("LEDGER_SIGNING_KEY must be set in production to sign: the "
                             "development key is public")
        return cls(seed_bytes(settings.signing_key.get_secret_value()))

    def sign(self, body: dict[str, Any]) -> str:
        """Base64 of the Ed25519 signature over the body's canonical JSON."""
        return base64.b64encode(self._key.sign(canonical_json(body))).decode()


def trusted_keys(settings: Settings) -> tuple[str, ...]:
    """The public keys verify believes: LEDGER_CHECKPOINT_PUBLIC_KEYS, else the signing key's."""
    listed = tuple(dict.fromkeys(public_key_b64(k) for k in settings.checkpoint_public_keys))
    # The default derives from the seed without Signer.from_settings: verifying is not signing,
    # so production's refusal of the development key to sign does not apply here.
    return listed or (Signer(seed_bytes(settings.signing_key.get_secret_value())).public_key,)


def signature_problem(body: Any, signature: Any,
                      trusted: Collection[str] | None = None) -> str | None:
    """Why this signed checkpoint is not to be believed, or None when its signature holds.

    With `trusted` the body must also name one of those public keys: a checkpoint signed by
    any other key (say, one an intruder made for himself) proves nothing about this ledger.
    """
    if not isinstance(body, dict) or not isinstance(signature, str):
        return "not a signed checkpoint (expected {\"checkpoint\": {...}, \"signature\": ...})"
    public = body.get("public_key")
    if not isinstance(public, str):
        return "the checkpoint names no public key"
    if trusted is not None and public not in trusted:
        ids = ", ".join(key_id(k)[:16] + "…" for k in trusted)
        return f"signed by key {_short_id(public)}, not by a trusted key ({ids})"
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public, validate=True))
        key.verify(base64.b64decode(signature, validate=True), canonical_json(body))
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return f"the signature does not verify with key {_short_id(public)}"
    return None


def _short_id(public: str) -> str:
    try:
        return key_id(public)
    except (ValueError, binascii.Error):
        return "(not base64)"
