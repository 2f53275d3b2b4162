"""A synthetic city as NDJSON records (docs/import.md), deterministic per seed.

Dates run up to a reference date derived from the seed, never from the wall clock,
so one seed always yields the same file and every date is in the past.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from ledger.domain.authorities import Authority
from ledger.domain.resident_id import is_resident_id
from ledger.domain.uscc import ALPHABET, make_uscc
from ledger.generator.data import (
    ASSOCIATIONS,
    AUTHORITIES,
    BRAND_CHARS,
    CITY_REGION,
    COOPS,
    DISTRICTS,
    GIVEN,
    INSTITUTIONS,
    REGIONS,
    SHOPS,
    SUFFIXES,
    SURNAMES,
    TRADES,
    ZONES,
)
from ledger.generator.facts import Facts
from ledger.generator.integrity import Integrity
from ledger.generator.people import new_person

Record = dict[str, Any]

# Subject kinds and their share of a city's registered subjects.
KIND_WEIGHTS = {"enterprise": 50, "individual_business": 18, "natural_person": 17,
                "professional": 4, "farmer_cooperative": 5, "social_organisation": 3,
                "public_institution": 3}
USCC_PREFIX = {"enterprise": "91", "individual_business": "92", "farmer_cooperative": "93",
               "social_organisation": "51", "public_institution": "12", "government_body": "11"}
PERSON_KINDS = ("natural_person", "professional")


def reference_date(seed: int) -> date:
    """The generated city's 'today': after the 2026-04-01 rule change, before any real run."""
    return date(2026, 4, 1) + timedelta(days=100 + seed % 120)


def generate(subjects: int, seed: int,
             authorities: Iterable[Authority] | None = None) -> Iterator[Record]:
    """Yield the city's records: authorities, then persons, then organisations, each with facts.
    `authorities`: the city's departments (default: the shipped catalogue); a story written
    earlier passes the catalogue of its time, so that it is told again the same."""
    return _City(subjects, seed, AUTHORITIES if authorities is None else tuple(authorities)
                 ).records()


class _City:
    def __init__(self, subjects: int, seed: int, authorities: tuple[Authority, ...]) -> None:
        self.rng = random.Random(seed)
        self.today = reference_date(seed)
        self.subjects = subjects
        self.codes: set[str] = set()
        self.names: set[str] = {a.name for a in authorities}
        self.authorities = {a.name: (a, a.code) for a in authorities}
        self.persons: list[tuple[str, str]] = []  # (resident ID, name) of registered persons
        self.facts = Facts(self.rng, self.today, self.authorities)
        # Persons are registered by their district's (or zone's) public-security branch.
        self.branches = {a.region: a.code for a in authorities
                         if "natural_person" in a.registers and a.region != CITY_REGION}
        self.integrity = Integrity(seed, self.today, self.authorities, self.facts.numbers,
                                   self.codes, self.names)

    def records(self) -> Iterator[Record]:
        registrar = self.authorities["盘锦市委机构编制委员会办公室"][1]
        for authority, code in self.authorities.values():
            yield {"record": "subject", "authority": registrar, "code": code,
                   "name": authority.name, "kind": "government_body",
                   "registered_on": "2015-01-01"}
        kinds = self.rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()), k=self.subjects)
        # Persons first, so that organisations can name them as principals.
        for kind in sorted(kinds, key=lambda k: k not in PERSON_KINDS):
            yield from self.subject(kind)
        yield from self.integrity.institutions(self.subjects)
        yield from self.integrity.defaults()
        yield from self.integrity.civil_servants(self.subjects, self.persons)

    def subject(self, kind: str) -> Iterator[Record]:
        person = kind in PERSON_KINDS
        code, name = self.person() if person else (self.uscc(kind), self.org_name(kind))
        if kind == "natural_person":
            self.persons.append((code, name))
        registered = self.today - timedelta(days=self.rng.randint(120, 15 * 365))
        profession = self.integrity.profession() if kind == "professional" else None
        registrar = (self.integrity.justice_code if profession else
                     self.person_registrar(code) if kind == "natural_person" else
                     self.registrar(kind))
        yield {"record": "subject", "authority": registrar, "code": code, "name": name,
               "kind": kind, "registered_on": registered.isoformat()} | (
                   {"profession": profession} if profession else {})
        if not person:
            yield from self.principals(code, registered)
        facts = list(self.facts.of(code, kind, registered))
        if profession:
            facts = self.integrity.licensed(code, profession, registered, facts)
        if kind == "public_institution":
            self.integrity.bodies.append((code, kind, registered))
        yield from facts
        yield from self.integrity.report(code, kind, facts)

    def principals(self, code: str, registered: date) -> Iterator[Record]:
        roles = ["legal_representative"] + (
            ["principal_officer"] if self.rng.random() < 0.25 else [])
        for role in roles:
            person_id, name = (self.rng.choice(self.persons) if self.persons
                               else self.person())
            since = min(registered + timedelta(days=self.rng.randint(0, 400)), self.today)
            yield {"record": "principal", "authority": self.registrar("enterprise"),
                   "subject": code, "principal": person_id, "role": role, "name": name,
                   "since": since.isoformat()}

    def registrar(self, kind: str) -> str:
        for authority, code in self.authorities.values():
            if kind in authority.registers:
                return code
        return self.authorities["盘锦市市场监督管理局"][1]

    def person_registrar(self, number: str) -> str:
        """The branch of the region the person's ID was issued in (or of its zone)."""
        region = number[:6]
        zone, every = ZONES.get(region, ("", 0))
        if every and int(number[14:17]) % every == 0:
            region = zone
        return self.branches.get(region) or self.registrar("natural_person")

    def uscc(self, kind: str) -> str:
        prefix = USCC_PREFIX[kind]
        while True:
            if prefix.startswith("9"):  # market entities carry the newer "MA" codes
                body = "MA" + "".join(self.rng.choices(ALPHABET, k=6))
            else:
                body = f"{self.rng.randrange(100_000_000):08d}"
            code = make_uscc(prefix[0], prefix[1], self.rng.choice(REGIONS), body)
            # An all-digit code that reads as an ID number is refused as an organisation's.
            if code not in self.codes and not is_resident_id(code):
                self.codes.add(code)
                return code

    def person(self) -> tuple[str, str]:
        return new_person(self.rng, self.codes, date(1955, 1, 1), 50)

    def org_name(self, kind: str) -> str:
        """A name no other organisation has: two codes for one name count as a duplicate."""
        for _ in range(20):
            name = self.draw_name(kind)
            if name not in self.names:
                break
        else:
            name = f"{name}（{len(self.names)}）"
        self.names.add(name)
        return name

    def draw_name(self, kind: str) -> str:
        rng = self.rng
        district = DISTRICTS[rng.choice(REGIONS)]
        brand = "".join(rng.sample(BRAND_CHARS, 2))
        if kind == "individual_business":
            return f"{district}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}记{rng.choice(SHOPS)}"
        if kind == "farmer_cooperative":
            return f"{district}{brand}{rng.choice(COOPS)}"
        if kind == "social_organisation":
            return f"盘锦市{brand}{rng.choice(TRADES)}{rng.choice(ASSOCIATIONS)}"
        if kind == "public_institution":
            return f"{district}{brand}{rng.choice(INSTITUTIONS)}"
        return f"盘锦{brand}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
