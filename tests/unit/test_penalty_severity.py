"""The severity rule table: what a penalty's categories and amounts make it, when its file
does not say (docs/import.md, "The severity rule table")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.domain.penalty_severity import severity_of
from ledger.domain.vocabulary import Severity


@pytest.mark.parametrize(("categories", "fine", "confiscated", "person", "expected", "rule"), [
    (["警告"], None, None, False, Severity.MINOR, "category:警告"),
    (["通报批评"], None, None, False, Severity.MINOR, "category:通报批评"),
    (["罚款"], Decimal(5000), None, False, Severity.GENERAL, "category:罚款"),
    (["罚款"], None, None, False, Severity.GENERAL, "category:罚款"),
    # A small fine alone is the summary procedure's: minor (200 yuan a person, 3,000 an
    # organisation).
    (["罚款"], Decimal(3000), None, False, Severity.MINOR, "fine<=3000"),
    (["警告;罚款"], Decimal(200), None, True, Severity.MINOR, "fine<=200"),
    (["罚款"], Decimal(201), None, True, Severity.GENERAL, "category:罚款"),
    (["罚款", "没收违法所得"], Decimal(100), Decimal(50), False, Severity.GENERAL,
     "category:没收"),
    (["暂扣许可证件"], None, None, False, Severity.GENERAL, "category:暂扣"),
    # The most severe category decides; large amounts are serious whatever the category.
    (["罚款", "责令停产停业"], Decimal(200_000), None, False, Severity.SERIOUS,
     "category:停产停业"),
    (["吊销许可证件"], None, None, False, Severity.SERIOUS, "category:吊销"),
    (["责令关闭"], None, None, False, Severity.SERIOUS, "category:责令关闭"),
    (["限制从业"], None, None, True, Severity.SERIOUS, "category:限制从业"),
    (["罚款"], Decimal(600_000), Decimal(400_000), False, Severity.SERIOUS, "amount>=1000000"),
    (["其他"], None, None, False, Severity.GENERAL, "category:unmatched"),
])
def test_the_rule_table(categories: list[str], fine: Decimal | None,
                        confiscated: Decimal | None, person: bool, expected: Severity,
                        rule: str) -> None:
    derived = severity_of(categories, fine, confiscated, person=person)
    assert (derived.severity, derived.rule) == (expected, rule)
