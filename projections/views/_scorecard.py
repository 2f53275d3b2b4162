"""The indicator scorecard: every target of DOMAIN.md, read from the indicator view's rows
and the scores view's (`indicators.READS`).

Each indicator is {id, title, unit, value, target, passed, detail}. `passed` is None when
the population is empty (nothing to measure yet). Shares always lie in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ledger.domain.scoring import BASE_RULE
from ledger.domain.visibility import shown_sql
from ledger.domain.vocabulary import PERSON_KINDS
from projections.view import ViewTx
from projections.views._integrity_card import integrity_indicators, recent_reports
from projections.views.indicators import (
    LEGAL_PERSON_KINDS,
    MARKET_KINDS,
    READS,
    IndicatorsView,
)
from projections.views.repair_ratios import TARGETS as REPAIR_TARGETS

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda v, t: v < t, ">": lambda v, t: v > t, ">=": lambda v, t: v >= t}


def indicator(id_: str, title: str, unit: str, value: float | None, op: str, target: float,
              **detail: Any) -> dict[str, Any]:
    passed = None if value is None else OPS[op](value, target)
    return {"id": id_, "title": title, "unit": unit, "value": value,
            "target": {"op": op, "value": target}, "passed": passed, "detail": detail}


def share(count: int, total: int) -> float | None:
    return None if total == 0 else count / total


# Subjects known by a date: their earliest fact is on or before it.
KNOWN = ("{ind_subject} s JOIN (SELECT code, MIN(on_day) AS since FROM {score_contribution} "
         "GROUP BY code) sc ON sc.code = s.code WHERE sc.since <= ?")


def _in(kinds: frozenset[str]) -> str:
    return "(" + ", ".join(f"'{k}'" for k in sorted(kinds)) + ")"


class Scorecard:
    """Reads every indicator as of a business date."""

    def __init__(self, view: IndicatorsView, tx: ViewTx, as_of: str) -> None:
        self.view, self.tx, self.as_of = view, tx, as_of

    def one(self, sql: str, *params: Any) -> int:
        tables = (*self.view.tables, *READS)
        row = self.tx.fetchone(sql.format(**{t: self.tx.t(t) for t in tables}), params)
        return int(row[0] or 0) if row else 0

    def subjects(self, kinds: frozenset[str], milestone: str | None = None) -> int:
        """Subjects of these kinds registered by the date (and past a milestone by then)."""
        extra = f" AND s.{milestone} <= ?" if milestone else ""
        params = (self.as_of, self.as_of) if milestone else (self.as_of,)
        return self.one(f"SELECT COUNT(*) FROM {KNOWN} AND s.kind IN {_in(kinds)}{extra}",
                        *params)

    def summed(self, metric: str, key: str | None = None, day: str | None = None) -> int:
        extra = " AND key = ?" if key else ""
        return self.one(f"SELECT SUM(n) FROM {{ind_count}} WHERE metric = ? AND day <= ?{extra}",
                        metric, day or self.as_of, *([key] if key else []))

    def all(self) -> list[dict[str, Any]]:
        return [self.uscc(), self.timeliness(), self.records(), self.holders(),
                self.joint_domains(), self.joint_cases(), *self.repair(), self.commitments(),
                self.reports(), self.trend("black"), self.trend("poor"),
                *(indicator(i, t, u, v, op, target, **d)
                  for i, t, u, v, op, target, d in integrity_indicators(self.tx, self.as_of))]

    def uscc(self) -> dict[str, Any]:
        total = self.one(f"SELECT COUNT(*) FROM {KNOWN} AND s.name_key IS NOT NULL",
                         self.as_of)
        # A duplicate is a second code for a name already known under another code.
        bad = self.one(
            f"SELECT COUNT(*) FROM {KNOWN} AND s.name_key IS NOT NULL AND (s.code_error = 1 OR "
            "EXISTS (SELECT 1 FROM {ind_subject} o JOIN {score_contribution} op ON "
            "op.code = o.code WHERE o.name_key = s.name_key AND o.code <> s.code AND "
            "(op.on_day < sc.since OR (op.on_day = sc.since AND o.code < s.code))))", self.as_of)
        return indicator("uscc_error_rate", "USCC duplicate-or-error rate", "share",
                         share(bad, total), "<", 1 / 10_000, flawed=bad, organisations=total)

    def timeliness(self) -> dict[str, Any]:
        row = self.tx.fetchone(f"SELECT SUM(recorded), SUM(on_time) FROM "
                               f"{self.tx.t('ind_published')} WHERE day <= ?", (self.as_of,))
        recorded, on_time = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
        return indicator("publicity_timeliness", "Permits and penalties published within 7 "
                         "working days", "share", share(on_time, recorded), ">=", 1.0,
                         recorded=recorded, on_time=on_time)

    def records(self) -> dict[str, Any]:
        legal = self.subjects(LEGAL_PERSON_KINDS)
        records = self.summed("public_record") + self.one(
            "SELECT SUM(recorded) FROM {ind_published} WHERE legal = 1 AND day <= ?", self.as_of)
        return indicator("public_records_per_legal_person", "Average public records per "
                         "legal-person subject", "average", None if legal == 0 else
                         records / legal, ">=", 2, records=records, legal_persons=legal)

    def holders(self) -> dict[str, Any]:
        people = self.subjects(PERSON_KINDS)
        # A holder has a score with a basis: at least one scored fact beyond the base.
        holders = self.one(
            f"SELECT COUNT(*) FROM {KNOWN} AND s.kind IN {_in(PERSON_KINDS)} AND EXISTS "
            f"(SELECT 1 FROM {{score_contribution}} p WHERE p.code = s.code AND "
            f"p.rule <> '{BASE_RULE}' AND p.on_day <= ?)", self.as_of, self.as_of)
        return indicator("citizen_score_holders", "Registered population holding a citizen "
                         "score", "share", share(holders, people), ">", 0.5,
                         holders=holders, registered_persons=people)

    def joint_domains(self) -> dict[str, Any]:
        domains = self.one("SELECT COUNT(DISTINCT key) FROM {ind_count} WHERE metric = "
                           "'listing' AND day <= ?", self.as_of)
        return indicator("joint_domains", "Domains with joint rewards and punishments",
                         "count", domains, ">=", 40)

    def joint_cases(self) -> dict[str, Any]:
        listed = self.view.repair.shown(self.tx, self.as_of, ("red", "black"))
        cases = self.summed("joint_case")
        return indicator("joint_cases_per_listing", "Valid joint reward/punishment cases per "
                         "red and black list member", "rate", None if listed == 0 else
                         cases / listed, ">=", 0.3, cases=cases, red_and_black=listed)

    def repair(self) -> list[dict[str, Any]]:
        members = self.view.repair.members(self.tx, self.as_of)
        by_domain = self.view.repair.ratios(self.tx, self.as_of)
        exits = {r["domain"]: r["ratios"]["exited"] for r in by_domain}
        worst = min((r["value"] for r in exits.values()), default=None)
        codes = {code for _, code in members}
        trained = codes & self.view.repair.marked(self.tx, "training", self.as_of)
        committed = codes & self.view.repair.marked(self.tx, "repair_commitment", self.as_of)
        return [
            indicator("black_list_exit_by_domain", "Operating black-listed subjects that "
                      "rectified and exited, per domain (lowest domain)", "share", worst, ">=",
                      REPAIR_TARGETS["exited"], by_domain=exits),
            indicator("repair_training_coverage", "Repair training coverage of operating "
                      "black-listed subjects", "share", share(len(trained), len(codes)), ">=",
                      REPAIR_TARGETS["training"], trained=len(trained), black_listed=len(codes)),
            indicator("repair_commitment_coverage", "Operating black-listed subjects with a "
                      "repair commitment", "share", share(len(committed), len(codes)), ">=",
                      REPAIR_TARGETS["repair_commitment"], committed=len(committed),
                      black_listed=len(codes)),
        ]

    def commitments(self) -> dict[str, Any]:
        market = self.subjects(MARKET_KINDS)
        committed = self.subjects(MARKET_KINDS, "first_commitment_on")
        return indicator("commitment_coverage", "Market subjects with a credit commitment",
                         "share", share(committed, market), ">=", 0.9,
                         committed=committed, market_subjects=market)

    def poor_codes(self, as_of: str, kinds: frozenset[str] | None = None) -> set[str]:
        book, poor = self.view.points.book, set()
        for code, kind, family, raw in self.view.points.raw_as_of(self.tx, as_of):
            model = book.model(family, as_of)
            if (kinds is None or kind in kinds) and model.grade(model.clamp(raw)) in model.poor:
                poor.add(code)
        return poor

    def reports(self) -> dict[str, Any]:
        members = self.view.repair.members(self.tx, self.as_of)
        population = {code for _, code in members} | self.poor_codes(self.as_of)
        # A report issued within the last 12 months, on its own or in a repair case (issue 20).
        reported = population & recent_reports(self.tx, self.as_of)
        return indicator("third_party_report_coverage", "Black-listed or poor-grade subjects "
                         "with a third-party credit report", "share",
                         share(len(reported), len(population)), ">=", REPAIR_TARGETS["report"],
                         reported=len(reported), population=len(population),
                         issued_within_months=12)

    def enterprise_share(self, which: str, as_of: str) -> tuple[int, int]:
        total = self.one(f"SELECT COUNT(*) FROM {KNOWN} AND s.kind = 'enterprise'", as_of)
        if which == "poor":
            return len(self.poor_codes(as_of, frozenset({"enterprise"}))), total
        listed = self.one(
            "SELECT COUNT(DISTINCT b.code) FROM {ind_listing} b JOIN {ind_subject} s ON "
            "s.code = b.code WHERE s.kind = 'enterprise' AND b.list = 'black' AND "
            + shown_sql("b.listed_on", "b.ended_on", "b.expires_on"), *[as_of] * 3)
        return listed, total

    def trend(self, which: str) -> dict[str, Any]:
        """Falling: lower than a year before, or zero both times."""
        before = (date.fromisoformat(self.as_of) - timedelta(days=365)).isoformat()
        now, then = share(*self.enterprise_share(which, self.as_of)), share(
            *self.enterprise_share(which, before))
        passed = None if now is None or then is None else now < then or now == then == 0
        label = "black-listed" if which == "black" else "poor-grade"
        result = indicator(f"{label.replace('-', '_')}_enterprise_share", f"Share of {label} "
                           "enterprises (falling)", "share", now, "<", 1.0, previous=then,
                           previous_as_of=before)
        result["target"] = {"op": "falling", "value": then}
        result["passed"] = passed
        return result


def scorecard(view: IndicatorsView, tx: ViewTx, as_of: str) -> list[dict[str, Any]]:
    """Every indicator of the plan as of a business date."""
    return Scorecard(view, tx, as_of).all()
