"""The city's monitoring units (the city, its districts and counties, functional zones) with
their registered population, and which of them a subject belongs to (docs/adr/026).

Shipped for the demo city (data/regions.json); LEDGER_REGIONS_FILE names another file of the
same shape. A subject's *origin* is what the views keep, fixed by its registration: an
organisation's USCC division (characters 3-8), a person's registering authority. Its *region*
is read from the origin with this table and the authority catalogue, so a changed table takes
effect without rebuilding a view.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.datafiles import read_json
from ledger.domain.uscc import region_of_uscc
from ledger.domain.vocabulary import PERSON_KINDS

LEVELS = ("city", "district", "county", "zone")


@dataclass(frozen=True)
class Region:
    """One monitoring unit: its code, name and registered (household-register) population."""

    code: str
    name: str
    short_name: str
    level: str  # city, district, county or zone
    population: int


def origin_of(code: str, kind: str, authority: str) -> str:
    """Where a subject's region comes from: a person's registering authority (its USCC; the
    ID number is never kept), an organisation's USCC division (characters 3-8)."""
    if kind in PERSON_KINDS:
        return authority
    division = region_of_uscc(code)
    return division if len(division) == 6 and division.isdigit() else ""


class RegionTable:
    """The monitoring units by code; a division outside the table belongs to the city."""

    def __init__(self, regions: list[Region], city: str) -> None:
        self._by_code = {r.code: r for r in regions}
        self.city = self._by_code[city]

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    @property
    def counties(self) -> list[Region]:
        """Every unit but the city itself: what the city's monitoring ranks."""
        return [r for r in self._by_code.values() if r.code != self.city.code]

    def region_of_division(self, division: str) -> str:
        """A GB/T 2260 (or configured) code → its unit; one outside the table → the city."""
        return division if division in self._by_code else self.city.code

    def region_of_origin(self, origin: str, catalogue: AuthorityCatalogue) -> str:
        """An origin (origin_of) → its unit: an authority by the catalogue's `region` (its own
        USCC's division when the catalogue does not know it), a division as it is."""
        if len(origin) == 18:
            authority = catalogue.get(origin)
            origin = authority.region if authority else region_of_uscc(origin)
        return self.region_of_division(origin)

    def origins_in(self, region: str, origins: Iterable[str],
                   catalogue: AuthorityCatalogue) -> list[str]:
        """Those of `origins` that belong to `region`."""
        return sorted(o for o in origins if self.region_of_origin(o, catalogue) == region)

    @classmethod
    def load(cls, path: Path | None = None) -> RegionTable:
        """The file at `path`, else the demo city's; a malformed entry fails naming it."""
        raw, source = read_json(path, "regions.json")
        regions = [_region(entry, f"{source}: regions[{i}]")
                   for i, entry in enumerate(raw.get("regions", ()))]
        return _checked(regions, str(raw.get("city", "")), source)


def _region(entry: dict[str, Any], where: str) -> Region:
    try:
        code, population = str(entry["code"]), entry["population"]
        level = str(entry.get("level", "district"))
    except KeyError as exc:
        raise ValueError(f"{where}: missing field {exc.args[0]!r}") from None
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"{where}: code must be 6 digits, got {code!r}")
    if not isinstance(population, int) or isinstance(population, bool) or population < 1:
        raise ValueError(f"{where}: population must be a positive whole number, "
                         f"got {population!r}")
    if level not in LEVELS:
        raise ValueError(f"{where}: level must be one of {', '.join(LEVELS)}, got {level!r}")
    name = str(entry.get("name") or code)
    return Region(code, name, str(entry.get("short_name") or name), level, population)


def _checked(regions: list[Region], city: str, source: str) -> RegionTable:
    codes = [r.code for r in regions]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{source}: a region code appears twice")
    if city not in codes:
        raise ValueError(f"{source}: `city` must name one of the regions, got {city!r}")
    table = RegionTable(regions, city)
    parts = sum(r.population for r in table.counties)
    if parts > table.city.population:
        raise ValueError(f"{source}: the counties' population ({parts}) exceeds the city's "
                         f"({table.city.population})")
    return table


@dataclass(frozen=True)
class Geography:
    """The regions table with the authority catalogue: a subject's region from its facts."""

    table: RegionTable
    catalogue: AuthorityCatalogue

    def region_of(self, code: str, kind: str, authority: str) -> Region:
        """The unit a registered subject belongs to."""
        found = self.table.region_of_origin(origin_of(code, kind, authority), self.catalogue)
        return self.table.get(found) or self.table.city
