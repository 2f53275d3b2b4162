"""Stories of a city's own repair policy file: its periods, its non-repairable conduct and the
notice it asks before a listing, for the API and the import alike."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ledger.build import build_ledger, policy_from
from ledger.settings import Settings
from tests import calls as repairs
from tests.repair_story import ACME, OFFICER, City


def test_a_city_may_set_its_own_periods_and_non_repairable_conduct(tmp_path: Path) -> None:
    policy_file = tmp_path / "repair-policy.json"
    policy_file.write_text(json.dumps({"listing_min_months": {"black": 12, "black:tax": 24},
                                       "non_repairable": ["tax_fraud"]}))
    policy = policy_from(Settings(repair_policy_file=policy_file, repair_decision_days=5))
    assert policy.decision_days == 5 and policy.is_non_repairable("Tax Fraud")
    assert not policy.is_non_repairable("illegal_fund_raising")
    city = City.in_memory()
    city.register(ACME)
    # The tax black list waits two years here; the finance black list keeps one.
    tax = city.listing(ACME, "black", date(2025, 6, 1), domain="tax")
    finance = city.listing(ACME, "black", date(2025, 6, 1), domain="finance")
    tax_case = repairs.apply(city.ledger, subject=ACME, target=tax, applied_on=date(2026, 7, 1),
                             obligations_performed=True, by=OFFICER, policy=policy)[1]
    finance_case = repairs.apply(city.ledger, subject=ACME, target=finance,
                                 applied_on=date(2026, 7, 1), obligations_performed=True,
                                 by=OFFICER, policy=policy)[1]
    assert (tax_case.status, finance_case.status) == ("refused", "applied")
    policy_file.write_text(json.dumps({"listing_min_monthz": {}}))
    with pytest.raises(ValueError, match="listing_min_monthz"):
        policy_from(Settings(repair_policy_file=policy_file))


def test_a_city_sets_the_notice_before_a_listing_in_the_policy_file(tmp_path: Path) -> None:
    policy_file = tmp_path / "repair-policy.json"
    assert policy_from(Settings()).listing_notice_days == 5
    policy_file.write_text(json.dumps({"listing_notice_days": 10}))
    assert policy_from(Settings(repair_policy_file=policy_file)).listing_notice_days == 10
    # The ledger a process builds decides listings (API and import alike) by that file.
    ledger = build_ledger(Settings(repair_policy_file=policy_file,
                                   database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}"))
    assert ledger.policy.listing_notice_days == 10
    ledger.close()
    for bad in (-1, 61, "5", 2.5, True):
        policy_file.write_text(json.dumps({"listing_notice_days": bad}))
        with pytest.raises(ValueError, match="listing_notice_days"):
            policy_from(Settings(repair_policy_file=policy_file))
