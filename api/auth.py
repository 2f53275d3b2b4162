"""Bearer tokens from the file named by LEDGER_TOKENS_FILE: role and authority per token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import orjson


class Role(StrEnum):
    PROVIDER = "provider"
    OFFICER = "officer"
    AUDITOR = "auditor"
    ADMIN = "admin"
    PERSONNEL = "personnel"  # the organisation department: civil servants' integrity files


@dataclass(frozen=True)
class Caller:
    """Who is calling: their role, their department's USCC, and a log-safe actor name."""

    role: Role
    authority: str
    actor: str
    domains: frozenset[str] = frozenset()


class TokenBook:
    def __init__(self, tokens: dict[str, Caller]) -> None:
        self._tokens = tokens

    @classmethod
    def load(cls, path: Path | None) -> TokenBook:
        if path is None:
            return cls({})
        raw = orjson.loads(path.read_bytes())
        tokens = {}
        for i, (token, entry) in enumerate(sorted(raw.items())):
            actor = entry.get("actor") or f"{entry['role']}-{i + 1}"
            tokens[token] = Caller(Role(entry["role"]), entry.get("authority", ""), actor,
                                   frozenset(entry.get("domains", [])))
        return cls(tokens)

    def caller(self, token: str) -> Caller | None:
        for known, caller in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return caller
        return None
