"""A short credit history recorded through the ledger application, shared by audit tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.application import CreditLedger, Receipt
from ledger.build import build_ledger
from ledger.settings import Settings
from tests import calls
from tests.listing_terms import POLICY, notice

AUTHORITY = "11100000000013127D"  # a market-regulation department
COURT = "11100000000016032D"
CODES = ["91110000600037341L", "9144030071526726XG"]


def ledger_for(database_url: str, app_name: str) -> CreditLedger:
    return build_ledger(Settings(database_url=database_url, app_name=app_name, env="test"))


def register(ledger: CreditLedger, code: str, name: str = "Panjin Example Co., Ltd.") -> Receipt:
    return calls.register(ledger, code=code, name=name, kind="enterprise", masked=None,
                           authority=AUTHORITY, actor="clerk-1", registered_on=date(2024, 1, 2))


def penalty(ledger: CreditLedger, code: str, n: int, decided_on: date = date(2025, 3, 3),
            severity: str = "general") -> Receipt:
    receipt, _ = calls.decide(ledger, code, lambda s: s.impose_penalty(
        authority=AUTHORITY, actor="clerk-1", decision_no=f"PJ-2025-{n:05d}", severity=severity,
        domain="production", decided_on=decided_on, published_on=decided_on,
        category="fine", basis="Product Quality Law art. 49", special=False,
        details={"fine": "5000.00"}, today=date(2026, 1, 5), calendar=ledger.calendar))
    return receipt


def permit(ledger: CreditLedger, code: str, n: int, decided_on: date = date(2024, 5, 6)) -> Receipt:
    receipt, _ = calls.decide(ledger, code, lambda s: s.grant_permit(
        authority=AUTHORITY, actor="clerk-1", decision_no=f"PERMIT-{n:05d}",
        category="food_business", decided_on=decided_on, published_on=decided_on,
        details={}, today=date(2026, 1, 5), calendar=ledger.calendar))
    return receipt


def blacklist(ledger: CreditLedger, code: str, listed_on: date = date(2025, 6, 2),
              ) -> tuple[Receipt, str]:
    receipt, (_, listing_id) = calls.decide(ledger, code, lambda s: s.put_on_list(
        authority=COURT, actor="judge-1", list_name="black", domain="judicial",
        basis="Supreme People's Court list of dishonest judgment debtors",
        notified_on=notice(listed_on), listed_on=listed_on,
        expires_on=listed_on + timedelta(days=3 * 365), removal_conditions="performs the judgment",
        today=date(2026, 1, 5), policy=POLICY, calendar=ledger.calendar))
    return receipt, listing_id


def delist(ledger: CreditLedger, code: str, listing_id: str, on: date, reason: str) -> Receipt:
    receipt, _ = calls.decide(ledger, code, lambda s: s.remove_from_list(
        listing_id=listing_id, authority=COURT, actor="judge-1", delisted_on=on, reason=reason,
        today=date(2026, 1, 5)))
    return receipt


def story(ledger: CreditLedger) -> dict[str, Any]:
    """Two enterprises: one with permits and penalties, one black-listed then delisted."""
    for code in CODES:
        register(ledger, code)
    permit(ledger, CODES[0], 1)
    penalty(ledger, CODES[0], 1)
    penalty(ledger, CODES[0], 2, decided_on=date(2025, 4, 7), severity="minor")
    _, listing = blacklist(ledger, CODES[1])
    delist(ledger, CODES[1], listing, date(2025, 9, 1), "revoked")
    return {"listing": listing}
