"""What the served demo city holds, read from the generator that made it (the same size and
seed as `credit-ledger serve` loads): registered people with their ID numbers, civil
servants' files, government bodies' defaults. The tests need an ID number to type, and the
generator is the only place one exists in clear."""

from __future__ import annotations

from functools import cache
from typing import Any

from ledger.generator.city import generate
from ledger.generator.demo import DEMO_SEED
from ledger.importing.importer import records

DEMO_SUBJECTS = 60  # the browser tests' city: small enough to load in a few seconds


@cache
def rows() -> tuple[dict[str, Any], ...]:
    return tuple(obj for _, obj in records(generate(DEMO_SUBJECTS, DEMO_SEED)))


def of(record: str) -> list[dict[str, Any]]:
    """The generated rows of one kind of record (subject, civil_servant, ...)."""
    return [r for r in rows() if r.get("record") == record]


def people() -> list[dict[str, Any]]:
    """Registered natural persons (their `code` is the ID number, before pseudonymising)."""
    return [r for r in of("subject") if r.get("kind") == "natural_person"]


def civil_servants() -> list[dict[str, Any]]:
    """Civil servants, each with the entries of their file (`entries`)."""
    entries = of("civil_servant_record")
    return [r | {"entries": [e for e in entries if e["civil_servant"] == r["id_number"]]}
            for r in of("civil_servant")]


def registered_ids() -> set[str]:
    return {r["code"] for r in people()}
