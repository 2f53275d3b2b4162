"""The authority catalogue: who the city's departments are (USCC → name, short name, default
domain, region). Shipped for the demo city (data/authorities.json); LEDGER_AUTHORITIES_FILE
names another file of the same shape."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.domain.datafiles import read_json
from ledger.domain.uscc import CodeError, validate_uscc
from ledger.domain.vocabulary import Domain, SubjectKind


@dataclass(frozen=True)
class Authority:
    """One department: its USCC and what the import and the portal need to know of it."""

    code: str
    name: str
    short_name: str
    default_domain: Domain | None  # of its penalties when a file does not say
    region: str  # GB/T 2260 division code
    number_prefix: str = ""  # of its decision numbers, e.g. 盘市监
    domains: tuple[Domain, ...] = ()  # the domains it decides in
    registers: tuple[SubjectKind, ...] = ()  # the subject kinds it registers


class AuthorityCatalogue:
    """The authorities by USCC; an authority not in the catalogue is still an authority (the
    catalogue names and defaults, it does not authorise: tokens do)."""

    def __init__(self, authorities: list[Authority]) -> None:
        self._by_code = {a.code: a for a in authorities}

    def __iter__(self) -> Iterator[Authority]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Authority | None:
        return self._by_code.get(code)

    def name_of(self, code: str) -> str | None:
        authority = self._by_code.get(code)
        return authority.name if authority else None

    def default_domain(self, code: str) -> Domain | None:
        authority = self._by_code.get(code)
        return authority.default_domain if authority else None

    def by_name(self, name: str) -> Authority | None:
        return next((a for a in self._by_code.values() if name in (a.name, a.short_name)),
                    None)

    @classmethod
    def load(cls, path: Path | None = None) -> AuthorityCatalogue:
        """The file at `path`, else the demo city's; a malformed entry fails naming it."""
        raw, source = read_json(path, "authorities.json")
        entries = raw["authorities"] if isinstance(raw, dict) else raw
        return cls([_authority(entry, f"{source}: authorities[{i}]")
                    for i, entry in enumerate(entries)])


def _authority(entry: dict[str, Any], where: str) -> Authority:
    try:
        code = validate_uscc(str(entry["code"]))
        domain = entry.get("default_domain")
        return Authority(
            code=code, name=str(entry["name"]),
            short_name=str(entry.get("short_name") or entry["name"]),
            default_domain=Domain(domain) if domain else None,
            region=str(entry.get("region") or code[2:8]),
            number_prefix=str(entry.get("number_prefix", "")),
            domains=tuple(Domain(d) for d in entry.get("domains", ())),
            registers=tuple(SubjectKind(k) for k in entry.get("registers", ())))
    except KeyError as exc:
        raise ValueError(f"{where}: missing field {exc.args[0]!r}") from None
    except (CodeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None
