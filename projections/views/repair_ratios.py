"""Repair ratios per domain: black-listed subjects, exits by repair, and repair coverage.

The population of a domain as of a date is every subject black-listed there by that date,
except listings withdrawn as an error or revoked: a subject that repaired and left still
counts, so coverage does not fall as repairs succeed (the plan measures exits against the
domain's black-list total). A subject is still listed on a day by the ledger's one definition
(ledger.domain.visibility: not removed, expires_on not come), whether or not the expiry
process has run. An exit is a listing removed as repaired whose removal an approved repair
case made (its RepairApproved names the listing): nothing else counts. Training and
third-party reports count for the domain of their case; a repair commitment (CommitmentMade
of type "repair") counts for every domain. The plan counts operating subjects: one deregistered
(注销) by a date has left every population from that date on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.scoring import business_day
from ledger.domain.visibility import shown_sql, still_open
from projections.batch import Batch, Statements
from projections.view import View, ViewTx

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


def earliest(table: str, key: str, column: str) -> str:
    """The upsert that keeps a row's earliest date (Batch.least; shards merge through it)."""
    return (f"INSERT INTO {{{table}}} AS cur VALUES (?, ?) ON CONFLICT ({key}) DO UPDATE SET "
            f"{column} = CASE WHEN excluded.{column} < cur.{column} THEN excluded.{column} "
            f"ELSE cur.{column} END")


class RepairFacts:
    """Listings (black, or those of `lists`) with their expiry and end, the listings an
    approved repair case removed, dated repair marks and deregistered subjects, in four named
    tables."""

    def __init__(self, listings: str, marks: str, exits: str, gone: str,
                 lists: tuple[str, ...] = ("black",)) -> None:
        self.listings, self.marks, self.exits, self.lists = listings, marks, exits, lists
        self.gone = gone
        self._gone = f"INSERT INTO {{{gone}}} VALUES (?, ?) ON CONFLICT (code) DO NOTHING"
        self._insert = (f"INSERT INTO {{{listings}}} VALUES (?, ?, ?, ?, ?, ?, NULL, NULL) "
                        "ON CONFLICT (listing_id) DO NOTHING")
        self._end = (f"UPDATE {{{listings}}} SET ended_on = ?, ended_reason = ? "
                     "WHERE listing_id = ?")
        # The first date a subject earned a mark.
        self._mark = (f"INSERT INTO {{{marks}}} AS cur VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (code, mark, domain) DO UPDATE SET first_on = CASE WHEN "
                      "excluded.first_on < cur.first_on THEN excluded.first_on "
                      "ELSE cur.first_on END")
        self._exit = earliest(exits, "listing_id", "approved_on")

    @property
    def merges(self) -> dict[str, str]:
        """Marks and approvals come from repair cases, other streams than the subject's."""
        return {self.marks: self._mark, self.exits: self._exit}

    @property
    def tables(self) -> dict[str, str]:
        return {
            self.listings: "listing_id TEXT PRIMARY KEY, code TEXT NOT NULL, list TEXT NOT NULL, "
                           "domain TEXT NOT NULL, listed_on TEXT NOT NULL, expires_on TEXT, "
                           "ended_on TEXT, ended_reason TEXT",
            self.marks: "code TEXT NOT NULL, mark TEXT NOT NULL, domain TEXT NOT NULL, "
                        "first_on TEXT NOT NULL, PRIMARY KEY (code, mark, domain)",
            self.exits: "listing_id TEXT PRIMARY KEY, approved_on TEXT NOT NULL",
            self.gone: "code TEXT PRIMARY KEY, gone_on TEXT NOT NULL",
        }

    def apply(self, b: Batch, env: dict[str, Any]) -> None:
        """Add one event's writes to the batch."""
        kind, data = env["type"], env["data"]
        if kind == "Listed" and data.get("list") in self.lists:
            b.insert(self._insert, (data["listing_id"], env["subject"], data["list"],
                                    data["domain"], business_day(env), data.get("expires_on")),
                     (self.listings, data["listing_id"]))
        elif kind == "Delisted" and data.get("list") in self.lists:
            b.update(self._end, (business_day(env), data["reason"], data["listing_id"]),
                     (self.listings, data["listing_id"]))
        elif kind == "RepairApproved" and data.get("target_kind") == "listing" \
                and data.get("list") == "black":
            b.least(self._exit, (data["target_id"],), business_day(env))
        elif kind in MARKS:
            b.least(self._mark, (env["subject"], MARKS[kind], data.get("domain") or ANY_DOMAIN),
                    business_day(env))
        elif kind == "CommitmentMade" and data.get("type") == "repair":
            b.least(self._mark, (env["subject"], "repair_commitment", ANY_DOMAIN),
                    business_day(env))
        elif kind == "SubjectDeregistered":  # once per subject, on its own stream
            b.insert(self._gone, (env["subject"], data["deregistered_on"]))

    def members(self, tx: ViewTx, as_of: str,
                domain: str | None = None) -> dict[tuple[str, str], Member]:
        """(domain, code) -> membership facts as of a date, of subjects still operating."""
        members: dict[tuple[str, str], Member] = defaultdict(Member)
        where = "b.list = 'black' AND b.listed_on <= ? AND (g.gone_on IS NULL OR g.gone_on > ?)"
        params = [as_of, as_of]
        if domain is not None:
            where, params = where + " AND b.domain = ?", [*params, domain]
        for code, dom, expires_on, ended_on, reason, approved_on in tx.fetchall(
                f"SELECT b.code, b.domain, b.expires_on, b.ended_on, b.ended_reason, "
                f"x.approved_on FROM {tx.t(self.listings)} b LEFT JOIN {tx.t(self.exits)} x "
                f"ON x.listing_id = b.listing_id LEFT JOIN {tx.t(self.gone)} g "
                f"ON g.code = b.code WHERE {where}", params):
            ended = ended_on is not None and ended_on <= as_of
            if ended and reason in WITHDRAWN:
                continue
            member = members[(dom, code)]
            member.listed |= still_open(as_of, ended_on, expires_on)
            # Only a removal an approved repair case made is an exit by repair.
            member.repaired |= ended and reason == "repaired" and approved_on is not None \
                and approved_on <= as_of
        marks: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for code, mark, dom in tx.fetchall(
                f"SELECT code, mark, domain FROM {tx.t(self.marks)} WHERE first_on <= ?",
                (as_of,)):
            marks[code].add((mark, dom))
        for (dom, code), member in members.items():
            member.marks = {m for m, d in marks.get(code, ()) if d in (dom, ANY_DOMAIN)}
        return dict(members)

    def shown(self, tx: ViewTx, as_of: str, lists: tuple[str, ...]) -> int:
        """Listings of these lists shown on a date (ledger.domain.visibility)."""
        names = ", ".join(f"'{name}'" for name in lists)
        row = tx.fetchone(
            f"SELECT COUNT(*) FROM {tx.t(self.listings)} b WHERE b.list IN ({names}) AND "
            f"{shown_sql('b.listed_on', 'b.ended_on', 'b.expires_on')}", (as_of,) * 3)
        return int(row[0] or 0) if row else 0

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


class RepairRatiosView(View):
    """Per domain: black-listed subjects, exits by repair, training, commitment, reports."""

    name = "repair_ratios"

    def __init__(self) -> None:
        self.facts = RepairFacts("repair_black", "repair_mark", "repair_exit", "repair_gone")
        self.tables = self.facts.tables
        self.indexes = ["CREATE INDEX repair_black_by_domain ON {repair_black} (domain)"]
        self.statements = Statements(self.tables)

    def apply_indexes(self) -> list[str]:
        return []  # updates go by primary key

    def merges(self) -> dict[str, str]:
        return self.facts.merges

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
