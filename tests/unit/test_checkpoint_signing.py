"""Checkpoint keys and hashes: what production refuses, and what an outsider can recompute."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from ledger.domain.checkpoint import running_hash
from ledger.settings import DEV_SIGNING_KEY, Settings
from ledger.signing import Signer, signature_problem

PROD = {"env": "production", "pseudonym_key": "k" * 32, "tokens_file": "tokens.json"}


def test_production_refuses_the_development_signing_key():
    with pytest.raises(ValidationError, match="LEDGER_SIGNING_KEY must be set in production"):
        Settings(**PROD)
    # The same key written in hex is still the development key.
    hex_dev = base64.b64decode(DEV_SIGNING_KEY).hex()
    with pytest.raises(ValidationError, match="LEDGER_SIGNING_KEY"):
        Settings(**PROD, signing_key=hex_dev)
    assert Settings(**PROD, signing_key="ab" * 32).env == "production"


def test_a_malformed_signing_key_is_refused_naming_the_variable():
    for bad in ("short", "zz" * 32, base64.b64encode(b"x" * 31).decode()):
        with pytest.raises(ValidationError, match="LEDGER_SIGNING_KEY: expected a 32-byte"):
            Settings(signing_key=bad)


def test_the_running_hash_is_the_documented_fold():
    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(3)]
    running = bytes(32)
    for h in hashes:  # docs/events.md, as an outsider writes it
        running = hashlib.sha256(running + bytes.fromhex(h)).digest()
    assert running_hash(hashes) == running.hex()
    assert running_hash([]) == "00" * 32


def test_a_signature_checks_with_nothing_but_the_public_key():
    signer = Signer(bytes(range(32)))
    body = {"ledger": "L", "position": 3, "events": 3, "running_hash": "ab" * 32,
            "previous_position": 0, "heads": [], "public_key": signer.public_key,
            "signed_at": "2026-06-01T08:00:00+00:00"}
    signature = signer.sign(body)
    # What docs/events.md shows: canonical JSON, Ed25519 with the key in the body.
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    Ed25519PublicKey.from_public_bytes(base64.b64decode(body["public_key"])).verify(
        base64.b64decode(signature), canonical.encode())
    assert signature_problem(body, signature, [signer.public_key]) is None
    assert "does not verify" in str(signature_problem(body | {"events": 4}, signature))
    other = Signer(bytes(32)).public_key
    assert "not by a trusted key" in str(signature_problem(body, signature, [other]))
    # Any listed key will do: that is how keys rotate.
    assert signature_problem(body, signature, [other, signer.public_key]) is None
