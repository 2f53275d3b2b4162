"""Repair ratios per domain: black-listed subjects, exits by repair, and repair coverage.

The population of a domain as of a date is every subject black-listed there by that date,
except listings withdrawn as an error or revoked: a subject that repaired and left still
counts, so coverage does not fall as repairs succeed (the plan measures exits against the
domain's black-list total). Training and third-party reports count for the domain of their
case; a repair commitment (CommitmentMade of type "repair") counts for every domain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.scoring import business_day
from projections.batch import Batch, Statements
from projections.view import ViewTx

TARGETS = {"exited": 0.30, "training": 0.50, "repair_commitment": 1.00, "report": 0.80}
MARKS = {"RepairTrainingCompleted": "training", "RepairReportSubmitted": "report"}
WITHDRAWN = ("error", "revoked")
ANY_DOMAIN = "*"


@dataclass
class Member:
    """One black-listed subject in one domain, as of a date."""

    listed: bool = False  # still on the domain's black list on that date
    repaired: bool = False  # left it by repair at least once
    marks: set[str] = field(default_factory=set)


def share(count: int, total: int) -> float | None:
    return None if total == 0 else count / total


def judged(count: int, total: int, target: float) -> dict[str, Any]:
    value = share(count, total)
    return {"count": count, "value": value, "target": target,
            "passed": None if value is None else value >= target}


class RepairFacts:
    """Black listings with their end, and dated repair marks, in two named tables."""

    def __init__(self, black: str, marks: str) -> None:
        self.black, self.marks = black, marks
        self._insert = (f"INSERT INTO {{{black}}} VALUES (?, ?, ?, ?, NULL, NULL) "
                        "ON CONFLICT (listing_id) DO NOTHING")
        self._end = f"UPDATE {{{black}}} SET ended_on = ?, ended_reason = ? WHERE listing_id = ?"
        # The first date a subject earned a mark.
        self._mark = (f"INSERT INTO {{{marks}}} AS cur VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (code, mark, domain) DO UPDATE SET first_on = CASE WHEN "
                      "excluded.first_on < cur.first_on THEN excluded.first_on "
                      "ELSE cur.first_on END")

    @property
    def merges(self) -> dict[str, str]:
        """A subject's marks come from its repair cases too, other streams than its own."""
        return {self.marks: self._mark}

    @property
    def tables(self) -> dict[str, str]:
        return {
            self.black: "listing_id TEXT PRIMARY KEY, code TEXT NOT NULL, domain TEXT NOT NULL, "
                        "listed_on TEXT NOT NULL, ended_on TEXT, ended_reason TEXT",
            self.marks: "code TEXT NOT NULL, mark TEXT NOT NULL, domain TEXT NOT NULL, "
                        "first_on TEXT NOT NULL, PRIMARY KEY (code, mark, domain)",
        }

    def apply(self, b: Batch, env: dict[str, Any]) -> None:
        """Add one event's writes to the batch."""
        kind, data = env["type"], env["data"]
        if kind == "Listed" and data.get("list") == "black":
            b.insert(self._insert, (data["listing_id"], env["subject"], data["domain"],
                                    business_day(env)), (self.black, data["listing_id"]))
        elif kind == "Delisted" and data.get("list") == "black":
            b.update(self._end, (business_day(env), data["reason"], data["listing_id"]),
                     (self.black, data["listing_id"]))
        elif kind in MARKS:
            b.least(self._mark, (env["subject"], MARKS[kind], data.get("domain") or ANY_DOMAIN),
                    business_day(env))
        elif kind == "CommitmentMade" and data.get("type") == "repair":
            b.least(self._mark, (env["subject"], "repair_commitment", ANY_DOMAIN),
                    business_day(env))

    def members(self, tx: ViewTx, as_of: str,
                domain: str | None = None) -> dict[tuple[str, str], Member]:
        """(domain, code) -> membership facts as of a date."""
        members: dict[tuple[str, str], Member] = defaultdict(Member)
        where, params = "listed_on <= ?", [as_of]
        if domain is not None:
            where, params = where + " AND domain = ?", [*params, domain]
        for code, dom, ended_on, reason in tx.fetchall(
                f"SELECT code, domain, ended_on, ended_reason FROM {tx.t(self.black)} "
                f"WHERE {where}", params):
            ended = ended_on is not None and ended_on <= as_of
            if ended and reason in WITHDRAWN:
                continue
            member = members[(dom, code)]
            member.listed |= not ended
            member.repaired |= ended and reason == "repaired"
        marks: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for code, mark, dom in tx.fetchall(
                f"SELECT code, mark, domain FROM {tx.t(self.marks)} WHERE first_on <= ?",
                (as_of,)):
            marks[code].add((mark, dom))
        for (dom, code), member in members.items():
            member.marks = {m for m, d in marks.get(code, ()) if d in (dom, ANY_DOMAIN)}
        return dict(members)

    def marked(self, tx: ViewTx, mark: str, as_of: str) -> set[str]:
        """Subjects that earned a mark (in any domain) by a date."""
        return {row[0] for row in tx.fetchall(
            f"SELECT DISTINCT code FROM {tx.t(self.marks)} WHERE mark = ? AND first_on <= ?",
            (mark, as_of))}

    def ratios(self, tx: ViewTx, as_of: str, domain: str | None = None) -> list[dict[str, Any]]:
        """Per domain: black-listed subjects and each repair ratio against its target."""
        by_domain: dict[str, list[Member]] = defaultdict(list)
        for (dom, _), member in self.members(tx, as_of, domain).items():
            by_domain[dom].append(member)
        return [domain_ratios(dom, ms) for dom, ms in sorted(by_domain.items())]


def domain_ratios(domain: str, members: list[Member]) -> dict[str, Any]:
    total = len(members)
    exited = sum(1 for m in members if m.repaired and not m.listed)
    counts = {"exited": exited} | {
        mark: sum(1 for m in members if mark in m.marks)
        for mark in ("training", "repair_commitment", "report")}
    return {"domain": domain, "black_listed": total,
            "still_listed": sum(1 for m in members if m.listed),
            "ratios": {name: judged(n, total, TARGETS[name]) for name, n in counts.items()}}


class RepairRatiosView:
    """Per domain: black-listed subjects, exits by repair, training, commitment, reports."""

    name = "repair_ratios"

    def __init__(self) -> None:
        self.facts = RepairFacts("repair_black", "repair_mark")
        self.tables = self.facts.tables
        self.indexes = ["CREATE INDEX repair_black_by_domain ON {repair_black} (domain)"]
        self.statements = Statements(self.tables)
        self.apply_indexes: list[str] = []  # updates go by primary key
        self.merges = self.facts.merges

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        batch = Batch(tx, self.statements)
        for env in envelopes:
            self.facts.apply(batch, env)
        batch.flush()

    def ratios(self, tx: ViewTx, as_of: str, domain: str | None = None) -> list[dict[str, Any]]:
        return self.facts.ratios(tx, as_of, domain)


VIEW = RepairRatiosView()
