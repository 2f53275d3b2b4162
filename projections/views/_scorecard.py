"""The indicator scorecard: every target of DOMAIN.md, read from the indicator view's rows
and the scores view's (`indicators.READS`).

Each indicator is {id, title, unit, value, target, passed, detail}. `passed` is None when
the population is empty (nothing to measure yet). Shares always lie in [0, 1].

The same code reads one county's scorecard when its transaction is scoped to the county's
rows (projections.views._scope, projections.views._regions); `population` is the registered
population of the area read (the regions table), the denominator of per-capita indicators.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ledger.domain.labels import INDICATORS
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
    return {"id": id_, "title": title, "title_label": INDICATORS.get(id_), "unit": unit,
            "value": value,
            "target": {"op": op, "value": target}, "passed": passed, "detail": detail}


def share(count: int, total: int) -> float | None:
    return None if total == 0 else count / total


# Subjects known by a date: their earliest fact is on or before it. A probe of the
# contributions' (code, on_day) index per subject, so a county's count costs its own subjects.
KNOWN = ("{ind_subject} s WHERE EXISTS (SELECT 1 FROM {score_contribution} sc WHERE "
         "sc.code = s.code AND sc.on_day <= ?)")
# When a subject came to exist (in a query over KNOWN): its earliest fact.
SINCE = "(SELECT MIN(m.on_day) FROM {score_contribution} m WHERE m.code = s.code)"


def _in(kinds: frozenset[str]) -> str:
    return "(" + ", ".join(f"'{k}'" for k in sorted(kinds)) + ")"


class Scorecard:
    """Reads every indicator as of a business date."""

    def __init__(self, view: IndicatorsView, tx: ViewTx, as_of: str,
                 population: int | None = None, memo: dict[Any, Any] | None = None) -> None:
        self.view, self.tx, self.as_of, self.population = view, tx, as_of, population
        # City-wide reads shared by the scorecards of one answer (every county, every month).
        self.memo = {} if memo is None else memo

    def one(self, sql: str, *params: Any) -> int:
        """A count; {table} reads the (region's) rows, {whole_table} every region's."""
        tables = (*self.view.tables, *READS)
        whole = self.tx.whole
        names = {t: self.tx.t(t) for t in tables} | {f"whole_{t}": whole(t) for t in tables}
        row = self.tx.fetchone(sql.format(**names), params)
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
        # A duplicate is a second code for a name already known under another code (in any
        # county: the other code's region does not matter).
        bad = self.one(
            f"SELECT COUNT(*) FROM {KNOWN} AND s.name_key IS NOT NULL AND (s.code_error = 1 OR "
            "EXISTS (SELECT 1 FROM {whole_ind_subject} o JOIN {score_contribution} op ON "
            f"op.code = o.code WHERE o.name_key = s.name_key AND o.code <> s.code AND "
            f"(op.on_day < {SINCE} OR (op.on_day = {SINCE} AND o.code < s.code))))", self.as_of)
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
        # Over the registered population (plan §4), not the persons the ledger happens to
        # know; those only when no population is given (a story without a regions table).
        population = self.population if self.population else people
        return indicator("citizen_score_holders", "Registered population holding a citizen "
                         "score", "share", share(min(holders, population), population), ">",
                         0.5, holders=holders, registered_persons=people,
                         registered_population=self.population)

    def domains(self, metric: str) -> int:
        return self.one("SELECT COUNT(DISTINCT key) FROM {ind_count} WHERE metric = ? AND "
                        "day <= ?", metric, self.as_of)

    def joint_domains(self) -> dict[str, Any]:
        # Domains where approval systems applied a measure (the checks' scenario domains):
        # where joint rewards and punishments are implemented, not where subjects are listed.
        return indicator("joint_domains", "Domains with joint rewards and punishments",
                         "count", self.domains("check_measure"), ">=", 40,
                         checked_domains=self.domains("check"))

    def joint_cases(self) -> dict[str, Any]:
        listed = self.view.repair.shown(self.tx, self.as_of, ("red", "black"))
        closed, applied = self.summed("joint_case"), self.summed("check_measure")
        cases = closed + applied
        return indicator("joint_cases_per_listing", "Valid joint reward/punishment cases per "
                         "red and black list member", "rate", None if listed == 0 else
                         cases / listed, ">=", 0.3, cases=cases, closed_cases=closed,
                         check_measures=applied, red_and_black=listed)

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
        """Subjects graded poor on a date: graded city-wide once per answer (the grading is
        Python over every score row), then kept to the scope's subjects."""
        poor: set[str] | None = self.memo.get(("poor", as_of, kinds))
        if poor is None:
            book, poor = self.view.points.book, set()
            for code, kind, family, raw in self.view.points.raw_as_of(self.tx.unscoped(),
                                                                      as_of):
                model = book.model(family, as_of)
                if (kinds is None or kind in kinds) and \
                        model.grade(model.clamp(raw)) in model.poor:
                    poor.add(code)
            self.memo[("poor", as_of, kinds)] = poor
        if self.tx.unscoped() is self.tx:
            return poor
        return poor & self.in_scope()

    def in_scope(self) -> set[str]:
        """The codes of the subjects this scorecard reads."""
        return {row[0] for row in self.tx.fetchall(
            f"SELECT code FROM {self.tx.t('ind_subject')}")}

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


def scorecard(view: IndicatorsView, tx: ViewTx, as_of: str, population: int | None = None,
              memo: dict[Any, Any] | None = None) -> list[dict[str, Any]]:
    """Every indicator of the plan as of a business date (over a registered population);
    `memo` shares city-wide reads between the scorecards of one answer."""
    return Scorecard(view, tx, as_of, population, memo).all()
