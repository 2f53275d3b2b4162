"""A synthetic city for the replay benchmark: ten events per subject, saved many per save().

Each enterprise is registered, gets three permits (one published late), two penalties, a
listing (red, black or key-attention, some removed), a commitment that is kept or broken and
a legal representative; every 50th subject is a natural person (by pseudonym).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from ledger.application import CreditLedger
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.listing_rules import latest_expiry, latest_notice
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject

TODAY = date(2026, 6, 1)
AUTHORITIES = [f"1121110000{i:07d}X" for i in range(12)]
DOMAINS = ["tax", "production", "price", "environment", "finance", "transport"]
LISTS = ["red", "black", "key_attention"]
PER_SAVE = 500  # 5,000 events per save(): well under the 40,000 that hung
POLICY = RepairPolicy()


def person(i: int) -> Subject:
    return Subject.register(code=f"p-{i:032x}", name=f"Person {i}", kind="natural_person",
                            masked="211**************4", authority=AUTHORITIES[0],
                            actor="bench", registered_on=date(2020, 1, 6))


def enterprise(i: int, cal: WorkingCalendar) -> Subject:
    """One enterprise and nine facts about it."""
    auth, dom = AUTHORITIES[i % len(AUTHORITIES)], DOMAINS[i % len(DOMAINS)]
    s = Subject.register(code=f"91{i:016d}", name=f"Bench Firm {i} Co", kind="enterprise",
                         masked=None, authority=auth, actor="bench",
                         registered_on=date(2020, 1, 6))
    base = date(2024, 1, 2) + timedelta(days=i % 700)
    for j in range(3):
        s.grant_permit(authority=auth, actor="bench", decision_no=f"L-{i}-{j}",
                       category="licence", decided_on=base, published_on=base + timedelta(
                           days=20 if j == 2 else 2), details={"content": "food trade"},
                       today=TODAY, calendar=cal)
    for j in range(2):
        s.impose_penalty(authority=auth, actor="bench", decision_no=f"P-{i}-{j}",
                         severity=("general", "serious", "minor")[(i + j) % 3], domain=dom,
                         decided_on=base, published_on=base + timedelta(days=3),
                         category="fine", basis="art. 63", special=False,
                         details={"fine_amount": "12000.00"}, today=TODAY, calendar=cal)
    listed = base + timedelta(days=10)
    longest = latest_expiry(POLICY, LISTS[i % 3], dom, listed)
    s.put_on_list(authority=auth, actor="bench", list_name=LISTS[i % 3], domain=dom, basis="b",
                  notified_on=latest_notice(listed, POLICY.listing_notice_days, cal),
                  listed_on=listed, expires_on=min(base + timedelta(days=1000), longest or
                                                   date.max), removal_conditions="pays",
                  today=TODAY, policy=POLICY, calendar=cal)
    _, cid = s.make_commitment(authority=auth, actor="bench", commitment_type="voluntary",
                               made_on=base, content="守法经营", due_on=None, today=TODAY)
    s.settle_commitment(commitment_id=cid, kept=i % 4 != 0, on=base + timedelta(days=30),
                        note="", authority=auth, actor="bench", today=TODAY)
    s.link_principal(principal=f"p-{i // 50:032x}", role="legal_representative",
                     name=f"Person {i // 50}", since=date(2020, 1, 6), authority=auth,
                     actor="bench", today=TODAY)
    return s


def record_city(ledger: CreditLedger, events: int) -> float:
    """Record about `events` events; return the seconds it took."""
    started = time.perf_counter()
    cal = WorkingCalendar.default()
    pending: list[Subject] = []
    for i in range(events // 10):
        pending.append(person(i // 50) if i % 50 == 0 else enterprise(i, cal))
        if len(pending) >= PER_SAVE:
            ledger.save(*pending)
            pending = []
    if pending:
        ledger.save(*pending)
    return time.perf_counter() - started
