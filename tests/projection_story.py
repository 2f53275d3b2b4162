"""One credit history for projection tests, recorded through the ledger application.

Recorded on 2026-06-01: an enterprise with permits (one published late), penalties (one
past its publicity window, one revoked, one whose publicity ended after repair, one late),
a red listing ended by a black listing, an expired key-attention listing, commitments kept
and broken; a person who is its legal representative; a second, red-listed enterprise.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ledger.application import CreditLedger
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.resident_id import make_resident_id
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc
from ledger.identity import identify
from tests import calls
from tests.calls import register
from tests.listing_terms import POLICY, notice

TODAY = date(2026, 6, 1)
MARKET = make_uscc("1", "1", "211100", "00002345")
TAX = make_uscc("1", "1", "211100", "00001312")
COURT = make_uscc("1", "1", "211100", "00001603")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
BETA = make_uscc("9", "1", "211100", "MA0T4Q2A")
PERSON_NUMBER = make_resident_id("211102", date(1980, 5, 17), "123")
KEY = b"test-pseudonym-key"
PERSON = identify(PERSON_NUMBER, "natural_person", KEY)
CAL = WorkingCalendar.default()


def _do(ledger: CreditLedger, code: str, decide: Any) -> Any:
    return calls.decide(ledger, code, decide)[1]


def permit(s: Subject, no: str, decided: date, published: date, authority: str = MARKET) -> Any:
    return s.grant_permit(authority=authority, actor="clerk-1", decision_no=no,
                          category="food_business", decided_on=decided, published_on=published,
                          details={"content": "食品经营许可", "valid_to": "2029-01-01"},
                          today=TODAY, calendar=CAL)


def penalty(s: Subject, no: str, decided: date, severity: str = "general",
            published: date | None = None, domain: str = "tax") -> Any:
    return s.impose_penalty(authority=TAX, actor="officer-7", decision_no=no, severity=severity,
                            domain=domain, decided_on=decided, published_on=published or decided,
                            category="fine", basis="《税收征收管理法》第六十条", special=False,
                            details={"fine_amount": "5000.00", "party": "ACME"}, today=TODAY,
                            calendar=CAL)


def listing(s: Subject, list_name: str, domain: str, on: date, expires: date | None,
            authority: str = COURT) -> Any:
    return s.put_on_list(authority=authority, actor="judge-1", list_name=list_name,
                         domain=domain, basis="basis", notified_on=notice(on),
                         listed_on=on, expires_on=expires, removal_conditions="performs duty",
                         today=TODAY, policy=POLICY, calendar=CAL)


def story(ledger: CreditLedger) -> dict[str, Any]:
    """Record the whole history; return what the assertions need."""
    reg = dict(authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 6))
    register(ledger, code=ACME, name="盘锦某某化工有限公司", kind="enterprise", masked=None, **reg)
    register(ledger, code=BETA, name="Beta Trading Co", kind="enterprise", masked=None, **reg)
    register(ledger, code=PERSON.code, name="张三", kind="natural_person", masked=PERSON.masked,
                    **reg)
    _do(ledger, ACME, lambda s: permit(s, "PERMIT-1", date(2025, 3, 3), date(2025, 3, 5)))
    _do(ledger, ACME, lambda s: permit(s, "PERMIT-2", date(2025, 4, 1), date(2025, 5, 6)))
    _do(ledger, ACME, lambda s: penalty(s, "TAX-OLD", date(2022, 1, 10)))  # window over
    _do(ledger, ACME, lambda s: penalty(s, "TAX-1", date(2025, 3, 3), published=date(2025, 4, 1)))
    _do(ledger, ACME, lambda s: penalty(s, "TAX-2", date(2025, 6, 2), severity="serious"))
    _do(ledger, ACME, lambda s: s.revoke_penalty(
        authority=TAX, actor="officer-7", decision_no="TAX-2", revoked_on=date(2025, 7, 1),
        reason="error", today=TODAY))
    _do(ledger, ACME, lambda s: penalty(s, "TAX-3", date(2025, 8, 4), domain="production"))
    _do(ledger, ACME, lambda s: s.end_penalty_publicity(
        penalty_authority=TAX, decision_no="TAX-3", ended_on=date(2026, 2, 2),
        reason="repaired", authority=TAX, actor="officer-7"))
    _do(ledger, ACME, lambda s: penalty(s, "TAX-4", date(2026, 4, 10), severity="minor"))
    _, red = _do(ledger, ACME, lambda s: listing(s, "red", "tax", date(2025, 1, 6), None,
                                                 authority=TAX))
    _, black = _do(ledger, ACME, lambda s: listing(s, "black", "tax", date(2025, 9, 1),
                                                   date(2028, 9, 1), authority=TAX))
    _, key = _do(ledger, ACME, lambda s: listing(s, "key_attention", "production",
                                                 date(2025, 2, 3), date(2026, 1, 5)))
    _, kept = _do(ledger, ACME, lambda s: s.make_commitment(
        authority=MARKET, actor="clerk-1", commitment_type="voluntary", made_on=date(2024, 3, 1),
        content="依法经营", due_on=None, today=TODAY))
    _do(ledger, ACME, lambda s: s.settle_commitment(
        commitment_id=kept, kept=True, on=date(2025, 3, 1), note="ok", authority=MARKET,
        actor="clerk-1", today=TODAY))
    _, broken = _do(ledger, ACME, lambda s: s.make_commitment(
        authority=MARKET, actor="clerk-1", commitment_type="approval_substitute",
        made_on=date(2024, 6, 3), content="补交材料", due_on=date(2024, 9, 1), today=TODAY))
    _do(ledger, ACME, lambda s: s.settle_commitment(
        commitment_id=broken, kept=False, on=date(2024, 9, 2), note="late", authority=MARKET,
        actor="clerk-1", today=TODAY))
    _do(ledger, ACME, lambda s: s.link_principal(
        principal=PERSON.code, role="legal_representative", name="张三", since=date(2020, 1, 6),
        authority=MARKET, actor="clerk-1", today=TODAY))
    _, beta_red = _do(ledger, BETA, lambda s: listing(s, "red", "tax", date(2025, 5, 5), None,
                                                      authority=TAX))
    _do(ledger, BETA, lambda s: penalty(s, "TAX-B1", date(2026, 1, 5), domain="price",
                                        published=date(2026, 2, 20)))
    return {"red": red, "black": black, "key": key, "kept": kept, "broken": broken,
            "beta_red": beta_red}


def bulk(ledger: CreditLedger, subjects: int, per_save: int = 500) -> None:
    """Many small subjects (registration, permit, penalty), saved many per save()."""
    batch: list[Subject] = []
    for i in range(subjects):
        code = make_uscc("9", "1", "211100", f"B{uuid.uuid4().hex[:7].upper()}")
        s = Subject.register(code=code, name=f"Bulk {i:06d}", kind="enterprise", masked=None,
                             authority=MARKET, actor="clerk-1", registered_on=date(2021, 1, 4))
        s.grant_permit(authority=MARKET, actor="clerk-1", decision_no=f"BP-{i}",
                       category="food_business", decided_on=date(2025, 1, 6),
                       published_on=date(2025, 1, 7), details={}, today=TODAY,
                       calendar=ledger.calendar)
        s.impose_penalty(authority=TAX, actor="officer-7", decision_no=f"BT-{i}",
                         severity="minor", domain="tax", decided_on=date(2026, 5, 4),
                         published_on=date(2026, 5, 5), category="warning", basis="b",
                         special=False, details={}, today=TODAY, calendar=ledger.calendar)
        batch.append(s)
        if len(batch) >= per_save:
            ledger.save(*batch)
            batch = []
    if batch:
        ledger.save(*batch)
