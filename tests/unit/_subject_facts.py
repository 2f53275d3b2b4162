"""One credit subject and the facts departments record about it, with no services at all:
the shared cast of the subject-rule stories (test_subject_*_rules.py, test_subject_hash_chain.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc

TODAY = date(2025, 11, 20)
CALENDAR = WorkingCalendar.default()
POLICY = RepairPolicy()
TAX = make_uscc("1", "1", "110000", "00001312")
MARKET = make_uscc("1", "1", "110000", "00002345")
ACME = "91110000600037341L"


def acme() -> Subject:
    subject = Subject.register(code=ACME, name="北京某某科技有限公司", kind="enterprise",
                               masked=None, authority=MARKET, actor="clerk-1",
                               registered_on=date(2020, 1, 6))
    subject.collect_events()
    return subject


def permit(s: Subject, *, authority: str = MARKET, decision_no: str = "京市监许〔2025〕1号",
           decided_on: date = date(2025, 3, 3), published_on: date = date(2025, 3, 5),
           details: dict[str, Any] | None = None) -> int:
    return s.grant_permit(authority=authority, actor="clerk-1", decision_no=decision_no,
                          category="普通", decided_on=decided_on, published_on=published_on,
                          details=details or {"content": "食品经营许可"}, today=TODAY,
                          calendar=CALENDAR)


def penalty(s: Subject, *, severity: str = "general", basis: str = "《税收征收管理法》第六十条",
            decided_on: date = date(2025, 3, 3), published_on: date = date(2025, 3, 5)) -> int:
    return s.impose_penalty(authority=TAX, actor="officer-7", decision_no="京税罚〔2025〕9号",
                            severity=severity, domain="tax", decided_on=decided_on,
                            published_on=published_on, category="罚款", basis=basis,
                            special=False, details={"fine_amount": "5000.00"}, today=TODAY,
                            calendar=CALENDAR)


def listing(s: Subject, list_name: str, *, authority: str = TAX, listed_on: date = date(2025, 5, 6),
            notified_on: date = date(2025, 4, 20), expires_on: date = date(2027, 5, 6),
            ) -> tuple[int, str]:
    return s.put_on_list(authority=authority, actor="officer-7", list_name=list_name,
                         domain="tax", basis="重大税收违法", notified_on=notified_on,
                         listed_on=listed_on, expires_on=expires_on,
                         removal_conditions="补缴税款并满一年", today=TODAY, policy=POLICY,
                         calendar=CALENDAR)


def types(events: Any) -> list[str]:
    return [type(e).__name__ for e in events]
