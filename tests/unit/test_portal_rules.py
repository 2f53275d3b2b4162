"""The portal's pure parts: when a record can be repaired, labels for every score rule and
indicator, charts with their text, and the package data an installed wheel carries."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

from api.portal.charts import number, trend_svg
from ledger.domain.labels import GRADES, INDICATORS, SCORE_RULES
from ledger.domain.repair import RepairPolicy, Target
from ledger.domain.repair_outlook import outlook
from ledger.domain.scoring import DEFAULT_FILE

POLICY = RepairPolicy()
ROOT = Path(__file__).resolve().parents[2]


def penalty(severity: str, decided: date, violation_type: str | None = None) -> Target:
    return Target("penalty", "X-1", "A", "tax", True, decided, severity=severity,
                  violation_type=violation_type)


def test_a_general_penalty_of_2026_is_repairable_after_three_months() -> None:
    # The 2026 rules: 3 months' minimum, 12 months' maximum.
    early = outlook(penalty("general", date(2026, 8, 3)), date(2026, 10, 17), POLICY)
    assert (early.state, early.from_on, early.until) == ("later", date(2026, 11, 3),
                                                         date(2027, 8, 3))
    on_the_day = outlook(penalty("general", date(2026, 8, 3)), date(2026, 11, 3), POLICY)
    assert on_the_day.state == "now"


def test_fraud_is_never_repairable_and_a_lapsing_minor_penalty_just_ends() -> None:
    fraud = outlook(penalty("serious", date(2026, 5, 6), violation_type="illegal_fund_raising"),
                    date(2027, 6, 1), POLICY)
    assert fraud.state == "never" and fraud.until == date(2029, 5, 6)
    # Minor under the 2026 rules: no minimum, so repairable at once, until it lapses.
    assert outlook(penalty("minor", date(2026, 5, 6)), date(2026, 5, 7), POLICY).state == "now"
    assert outlook(penalty("minor", date(2026, 5, 6)), date(2026, 8, 6),
                   POLICY).state == "expires"


def test_a_black_listing_waits_twelve_months_and_a_red_one_needs_nothing() -> None:
    black = Target("listing", "L1", "A", "tax", True, date(2026, 6, 1), list="black",
                   expires_on=date(2028, 6, 1))
    found = outlook(black, date(2026, 10, 17), POLICY)
    assert (found.state, found.from_on, found.until) == ("later", date(2027, 6, 1),
                                                         date(2028, 6, 1))
    red = Target("listing", "L2", "A", "tax", True, date(2026, 6, 1), list="red")
    assert outlook(red, date(2026, 10, 17), POLICY).state == "none"


def test_every_score_rule_grade_and_indicator_has_a_chinese_label() -> None:
    models = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    rules = {r["id"] for m in models["models"] for r in m["rules"]}
    grades = {g["grade"] for m in models["models"] for g in m["grades"]}
    assert rules <= set(SCORE_RULES) and grades <= set(GRADES)
    assert {"publicity_timeliness", "black_listed_enterprise_share",
            "poor_grade_enterprise_share"} <= set(INDICATORS)


def test_a_chart_says_in_words_what_it_draws() -> None:
    svg = trend_svg("trend-x", "公示率", [("2026-01-01", 0.5), ("2026-04-01", None),
                                          ("2026-07-01", 0.75)], 1.0, "share")
    assert 'role="img"' in svg and 'aria-labelledby="trend-x-title trend-x-desc"' in svg
    assert "目标 100.0%。2026-01-01：50.0%；2026-04-01：无数据；2026-07-01：75.0%" in svg
    assert number(0.00005, "share", 1 / 10_000) == "万分之0.50"
    assert number(2.345, "average") == "2.35" and number(None, "count") == "无数据"


def test_the_templates_and_static_files_are_package_data() -> None:
    """Every file of the portal's folders matches a package-data glob, so a wheel has it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["api.portal"]
    portal = ROOT / "api" / "portal"
    files = [p for folder in ("templates", "static") for p in (portal / folder).rglob("*")
             if p.is_file()]
    assert files
    for path in files:
        assert any(path.relative_to(portal).match(g) for g in globs), path
