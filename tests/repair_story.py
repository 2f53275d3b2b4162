"""A small city for repair stories: a clock tests can set, and one-line facts about subjects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.application import By, CreditLedger
from ledger.build import build_ledger
from ledger.domain.repair import RepairPolicy
from ledger.domain.repair_case import RepairCase
from ledger.settings import Settings
from tests import calls as repairs
from tests.calls import decide, register
from tests.listing_terms import longest, notice

MARKET = "11100000000013127D"  # a market-regulation department
COURT = "11100000000016032D"
CREDIT_OFFICE = "11211100MB1234567K"  # the city's credit office, where repair officers sit
ACME = "91110000600037341L"
BETA = "9144030071526726XG"
OFFICER = By(CREDIT_OFFICE, "officer-1")  # files and accepts
DECIDER = By(CREDIT_OFFICE, "officer-2")  # approves or rejects: four eyes (docs/adr/014)
POLICY = RepairPolicy()


@dataclass
class Clock:
    today: date = date(2026, 11, 25)

    def __call__(self) -> date:
        return self.today


@dataclass
class City:
    """The ledger plus shortcuts that read like the story they tell."""

    ledger: CreditLedger
    clock: Clock
    numbers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def in_memory(cls, today: date = date(2026, 11, 25)) -> City:
        clock = Clock(today)
        return cls(CreditLedger(name="RepairStory", clock=clock), clock)

    @classmethod
    def on(cls, database_url: str, app_name: str, today: date = date(2026, 11, 25)) -> City:
        clock = Clock(today)
        settings = Settings(database_url=database_url, app_name=app_name, env="test")
        return cls(build_ledger(settings, clock=clock), clock)

    def register(self, code: str = ACME, name: str = "Panjin Example Co., Ltd.",
                 kind: str = "enterprise") -> str:
        register(self.ledger, code=code, name=name, kind=kind, masked=None,
                             authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 2))
        return code

    def penalty(self, code: str, decided_on: date, severity: str = "general",
                domain: str = "production", special: bool = False, **details: Any) -> str:
        n = self.numbers[code] = self.numbers.get(code, 0) + 1
        decision_no = f"PJ-{decided_on.year}-{n:04d}"
        decide(self.ledger, code, lambda s: s.impose_penalty(
            authority=MARKET, actor="clerk-1", decision_no=decision_no, severity=severity,
            domain=domain, decided_on=decided_on, published_on=decided_on, category="fine",
            basis="Product Quality Law art. 49", special=special, details=details,
            today=self.clock.today, calendar=self.ledger.calendar))
        return decision_no

    def listing(self, code: str, list_name: str, listed_on: date, domain: str = "tax",
                expires_on: date | None = None, authority: str = COURT) -> str:
        _, (_, listing_id) = decide(self.ledger, code, lambda s: s.put_on_list(
            authority=authority, actor="judge-1", list_name=list_name, domain=domain,
            basis="list rules", notified_on=notice(listed_on), listed_on=listed_on,
            expires_on=expires_on or longest(list_name, domain, listed_on),
            removal_conditions="pays the tax due", today=self.clock.today,
            policy=self.ledger.policy, calendar=self.ledger.calendar))
        return str(listing_id)

    def commitment(self, code: str, made_on: date, kind: str = "repair") -> str:
        _, (_, cid) = decide(self.ledger, code, lambda s: s.make_commitment(
            authority=MARKET, actor="clerk-1", commitment_type=kind, made_on=made_on,
            content=f"{kind} commitment of {made_on}", due_on=None, today=self.clock.today))
        return str(cid)

    def breach(self, code: str, commitment_id: str, on: date) -> None:
        decide(self.ledger, code, lambda s: s.settle_commitment(
            commitment_id=commitment_id, kept=False, on=on, note="broken",
            authority=MARKET, actor="clerk-1", today=self.clock.today))

    def apply(self, code: str, target: str, applied_on: date, *, performed: bool = True,
              commitment_id: str | None = None) -> RepairCase:
        return repairs.apply(self.ledger, subject=code, target=target, applied_on=applied_on,
                             obligations_performed=performed, commitment_id=commitment_id,
                             by=OFFICER, policy=POLICY)[1]

    def accept(self, case: RepairCase, on: date) -> RepairCase:
        return repairs.accept(self.ledger, str(case.id), on=on, by=OFFICER, policy=POLICY)[1]

    def approve(self, case: RepairCase, on: date) -> RepairCase:
        return repairs.approve(self.ledger, str(case.id), on=on, by=DECIDER, policy=POLICY)[1]

    def reject(self, case: RepairCase, on: date, *reasons: str) -> RepairCase:
        return repairs.reject(self.ledger, str(case.id), on=on, reasons=list(reasons),
                              by=DECIDER, policy=POLICY)[1]

    def types(self, code: str) -> list[str]:
        """The event types recorded about a subject, in order."""
        subject = self.ledger.subject(code)
        return [type(e).__name__ for e in self.ledger.events.get(subject.id)]

    def case_events(self, case: RepairCase) -> list[Any]:
        return list(self.ledger.events.get(case.id))
