"""The synthetic city's government integrity (issue 20): legal professions and institutions,
third-party credit reports, government defaults and civil servants' files.

Drawn from a random stream of its own (seeded from the city's seed), so the rest of the city
is the one the same seed gave before: only these records, the professions and the justice
bureau's licences are new. Proportions are those of a prefecture-level city
(ledger/generator/legal.py).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ledger.domain.authorities import Authority
from ledger.domain.uscc import make_uscc
from ledger.generator import legal
from ledger.generator.data import BRAND_CHARS, DISTRICTS, REGIONS
from ledger.generator.facts import MARKET_KINDS, Facts
from ledger.generator.people import new_person

Record = dict[str, Any]
DISHONEST = ("black", "key_attention")


class Integrity:
    """Draws the city's government-integrity records; shares the city's codes and numbers."""

    def __init__(self, seed: int, today: date, authorities: dict[str, tuple[Authority, str]],
                 numbers: Counter[str], codes: set[str], names: set[str]) -> None:
        self.rng = random.Random(f"{seed}/integrity")
        self.today, self.authorities, self.codes, self.names = today, authorities, codes, names
        self.facts = Facts(self.rng, today, authorities)
        self.facts.numbers = numbers  # one sequence of decision numbers per authority
        self.justice, self.justice_code = authorities[legal.JUSTICE]
        self.bodies: list[tuple[str, str, date]] = [  # (code, kind, registered)
            (code, "government_body", date(2015, 1, 1)) for _, code in authorities.values()]

    def code(self, name: str) -> str:
        return self.authorities[name][1]

    # -- legal professions (plan §12) ------------------------------------------

    def profession(self) -> str | None:
        """A professional's legal profession, for the share of them in one."""
        if self.rng.random() >= legal.LEGAL_SHARE:
            return None
        return self.rng.choices(list(legal.PROFESSIONS), list(legal.PROFESSIONS.values()))[0]

    def licensed(self, code: str, group: str, registered: date, facts: list[Record]
                 ) -> list[Record]:
        """A legal professional's facts with their practice licence from the justice bureau
        instead of any other permit; a few files have none yet."""
        rest = [r for r in facts if r["record"] != "permit"]
        if self.rng.random() < 0.06:
            return rest
        decided = min(registered + timedelta(days=self.rng.randint(5, 60)),
                      self.today - timedelta(days=30))
        licence = self.facts.licence(code, decided, self.justice, self.justice_code,
                                     legal.LICENCES[group])
        return [licence, *rest]

    def institutions(self, subjects: int) -> Iterator[Record]:
        """Law firms, notary offices, legal service offices and forensic institutions."""
        for kind, share in legal.INSTITUTIONS.items():
            for _ in range(max(1, round(subjects * share))):
                code, name = self.uscc(legal.INSTITUTION_PREFIX[kind]), self.name(kind)
                registered = self.today - timedelta(days=self.rng.randint(200, 15 * 365))
                yield {"record": "subject", "authority": self.justice_code, "code": code,
                       "name": name, "kind": kind, "registered_on": registered.isoformat()}
                yield from self.licensed(code, kind, registered, [])

    def uscc(self, prefix: str) -> str:
        while True:
            body = f"{self.rng.randrange(100_000_000):08d}"
            code = make_uscc(prefix[0], prefix[1], self.rng.choice(REGIONS), body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def name(self, kind: str) -> str:
        """A name no other organisation has (two codes for one name count as a duplicate)."""
        for attempt in range(20):
            district = DISTRICTS[self.rng.choice(REGIONS)]
            word = self.rng.choice(legal.LAW_FIRM_WORDS) + (
                self.rng.choice(BRAND_CHARS) if attempt else "")
            name = (f"辽宁{word}{legal.INSTITUTION_NAMES[kind]}" if kind == "law_firm"
                    else f"盘锦市{district}{word}{legal.INSTITUTION_NAMES[kind]}")
            if name not in self.names:
                break
        else:
            name = f"{name}（{len(self.names)}）"
        self.names.add(name)
        return name

    # -- third-party credit reports (plan §13) -----------------------------------

    def report(self, code: str, kind: str, facts: list[Record]) -> Iterator[Record]:
        """Most dishonest subjects, and a few market subjects (for tenders), get a report."""
        # Listed, or poorly graded (a serious penalty is enough for a D): the §13 population.
        listed = [r["listed_on"] for r in facts
                  if r["record"] == "listing" and r["list"] in DISHONEST] + [
            r["decided_on"] for r in facts
            if r["record"] == "penalty" and r["severity"] == "serious"]
        share = legal.REPORT_SHARE["dishonest"] if listed else (
            legal.REPORT_SHARE["market"] if kind in MARKET_KINDS else 0.0)
        if self.rng.random() >= share:
            return
        # Mostly recent: a report is asked for to repair, or for a tender; some are older.
        start = max(date.fromisoformat(max(listed)) if listed else self.today,
                    self.today - timedelta(days=450))
        issued = min(start + timedelta(days=self.rng.randint(10, 450)), self.today)
        agency = self.rng.choice(legal.AGENCIES)
        yield {"record": "credit_report", "authority": self.code(legal.CREDIT_OFFICE),
               "subject": code, "agency": agency,
               "report_no": f"XY{issued.year}{self.rng.randrange(10**6):06d}",
               "issued_on": issued.isoformat(), "conclusion": self.rng.choice(legal.CONCLUSIONS)}

    # -- government defaults (plan §9, §16) ---------------------------------------

    def defaults(self) -> Iterator[Record]:
        for code, kind, registered in self.bodies:
            if self.rng.random() < legal.DEFAULT_SHARE[kind]:
                yield from self.default(code, registered)

    def default(self, code: str, registered: date) -> Iterator[Record]:
        rng = self.rng
        kind = rng.choices(list(legal.DEFAULT_KINDS), list(legal.DEFAULT_KINDS.values()))[0]
        authority = self.code(legal.COURT if kind == "judgement_unexecuted"
                              else legal.CREDIT_OFFICE)
        first = max(registered, self.today - timedelta(days=3 * 365))
        recorded = first + timedelta(days=rng.randint(0, max(0, (self.today - first).days - 30)))
        deadline = recorded + timedelta(days=rng.randint(60, 180))
        ref = {"authority": authority, "subject": code, "kind": kind,
               "creditor": rng.choice(legal.CREDITORS), "recorded_on": recorded.isoformat()}
        amount = (f"{rng.randint(100, 50_000) * 100}.00" if kind != "other" else None)
        yield {"record": "government_default", **ref, "amount": amount,
               "deadline": deadline.isoformat(), "basis": legal.DEFAULT_BASIS[kind]}
        # Most are rectified, most of those in time; some stay open, a few past the deadline.
        if rng.random() >= (0.75 if deadline < self.today else 0.4):
            return
        if deadline < self.today and rng.random() < 0.15:
            rectified = deadline + timedelta(days=rng.randint(1, 60))
        else:
            rectified = recorded + timedelta(days=rng.randint(1, (deadline - recorded).days))
        if rectified <= self.today:
            yield {"record": "default_rectification", **ref,
                   "rectified_on": rectified.isoformat(), "evidence": "付款凭证及整改报告"}

    # -- civil servants' integrity files (plan §9) ----------------------------------

    def civil_servants(self, subjects: int, persons: list[tuple[str, str]]
                       ) -> Iterator[Record]:
        """Civil servants of the city's bodies; a few are persons the ledger knows (so the
        file's penetration has something to find)."""
        personnel = self.code(legal.PERSONNEL)
        bodies = [(a, code) for a, code in self.authorities.values()]
        chosen: set[str] = set()
        for _ in range(max(3, round(subjects * legal.CIVIL_SERVANT_SHARE))):
            if persons and self.rng.random() < 0.1:
                number, name = self.rng.choice(persons)
                if number in chosen:
                    continue
            else:
                number, name = self.person()
            chosen.add(number)
            body, organisation = self.rng.choice(bodies)
            registered = date(2016, 1, 1) + timedelta(
                days=self.rng.randint(0, (self.today - date(2016, 1, 31)).days))
            yield {"record": "civil_servant", "authority": personnel, "id_number": number,
                   "name": name, "organisation": organisation,
                   "post": self.rng.choice(legal.POSTS), "registered_on": registered.isoformat()}
            yield from self.entries(personnel, number, body, registered)

    def entries(self, personnel: str, number: str, body: Authority, registered: date
                ) -> Iterator[Record]:
        for kind, share in legal.FILE_ENTRIES.items():
            if self.rng.random() >= share:
                continue
            on = registered + timedelta(days=self.rng.randint(0, (self.today - registered).days))
            decided_by = {"sanction": legal.DISCIPLINE, "dishonesty": legal.COURT}.get(
                kind, body.name)
            yield {"record": "civil_servant_record", "authority": personnel,
                   "civil_servant": number, "kind": kind, "on": on.isoformat(),
                   "basis": legal.FILE_BASIS[kind], "decided_by": decided_by}

    def person(self) -> tuple[str, str]:
        return new_person(self.rng, self.codes, date(1962, 1, 1), 38)
