"""The plan's measurable targets (DOMAIN.md), kept as dated rows so any date can be read.

Self-contained on purpose: it keeps its own copies of score rows, black listings and repair
marks rather than reading other views' tables, so it rebuilds and swaps on its own. The
scorecard itself is computed from these rows in `projections.views._scorecard`.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ledger.domain.scoring import ModelBook, business_day
from ledger.domain.vocabulary import PERSON_KINDS
from projections.view import ViewTx
from projections.views.repair_ratios import RepairFacts
from projections.views.scores import ScoreRows
from projections.views.timeliness import KINDS

LEGAL_PERSON_KINDS = frozenset({"enterprise", "farmer_cooperative", "social_organisation",
                                "public_institution", "government_body"})
MARKET_KINDS = frozenset({"enterprise", "individual_business", "farmer_cooperative"})
# Facts that make up a subject's public credit record (公共信用信息), counted per legal person;
# permits and penalties are counted with their timeliness in `ind_published`.
RECORD_EVENTS = {"Listed": 1, "CommitmentMade": 1, "PenaltyRevoked": -1}
# The joint reward/punishment workflow (initiate, respond, feedback) records this event when a
# case closes with feedback; nothing records it yet, so the case ratio reads 0 until it does.
JOINT_CASE_EVENT = "JointCaseClosed"

# When a subject came to exist is `since` in its score row (its earliest fact), not here.
SUBJECT_COLUMNS = ("code TEXT PRIMARY KEY, kind TEXT NOT NULL, name_key TEXT, "
                   "code_error INTEGER NOT NULL, first_commitment_on TEXT")
PUBLISHED_COLUMNS = ("authority TEXT NOT NULL, kind TEXT NOT NULL, day TEXT NOT NULL, "
                     "legal INTEGER NOT NULL, recorded BIGINT NOT NULL, on_time BIGINT NOT NULL, "
                     "PRIMARY KEY (authority, kind, day, legal)")
COUNT_COLUMNS = ("metric TEXT NOT NULL, key TEXT NOT NULL, day TEXT NOT NULL, "
                 "n BIGINT NOT NULL, PRIMARY KEY (metric, key, day)")


def name_key(name: str) -> str:
    """An organisation's name folded for duplicate detection (width, case, punctuation)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def count(tx: ViewTx, metric: str, key: str, day: str, n: int = 1) -> None:
    tx.execute(f"INSERT INTO {tx.t('ind_count')} AS cur VALUES (?, ?, ?, ?) "
               "ON CONFLICT (metric, key, day) DO UPDATE SET n = cur.n + excluded.n",
               (metric, key, day, n))


def first(tx: ViewTx, column: str, code: str, day: str) -> None:
    """Keep the earliest date of a per-subject milestone."""
    tx.execute(f"UPDATE {tx.t('ind_subject')} SET {column} = ? WHERE code = ? AND "
               f"({column} IS NULL OR {column} > ?)", (day, code, day))


class IndicatorsView:
    """Dated facts behind every indicator: subjects, counters, scores, black list, marks."""

    name = "indicators"

    def __init__(self, book: ModelBook | None = None) -> None:
        self.scores = ScoreRows("ind_score", "ind_points", book)
        self.repair = RepairFacts("ind_black", "ind_mark")
        self.tables = {"ind_subject": SUBJECT_COLUMNS, "ind_count": COUNT_COLUMNS,
                       "ind_published": PUBLISHED_COLUMNS} | self.scores.tables | self.repair.tables
        self.indexes = [*self.scores.indexes,
                        "CREATE INDEX ind_subject_by_name ON {ind_subject} (name_key)",
                        "CREATE INDEX ind_black_by_code ON {ind_black} (code)"]

    def apply(self, tx: ViewTx, env: dict[str, Any]) -> None:
        kind, data, day = env["type"], env["data"], business_day(env)
        if kind == "SubjectRegistered":
            self._register(tx, env)
        self.scores.apply(tx, env)
        self.repair.apply(tx, env)
        if kind in ("Listed", "Delisted"):
            self._listing(tx, kind, data, day)
        elif kind == JOINT_CASE_EVENT:
            count(tx, "joint_case", str(data.get("domain") or "*"), day)
        if kind in KINDS or kind in RECORD_EVENTS:
            self._subject_facts(tx, env)

    def _register(self, tx: ViewTx, env: dict[str, Any]) -> None:
        data = env["data"]
        person = data["kind"] in PERSON_KINDS
        tx.execute(f"INSERT INTO {tx.t('ind_subject')} VALUES (?, ?, ?, ?, NULL) "
                   "ON CONFLICT (code) DO NOTHING",
                   (env["subject"], data["kind"], None if person else name_key(data["name"]),
                    int(bool(data.get("code_check_failed")))))

    def _listing(self, tx: ViewTx, kind: str, data: dict[str, Any], day: str) -> None:
        if kind == "Listed":
            count(tx, "listing", data["domain"], day)
        if data.get("list") in ("red", "black"):
            count(tx, "list_size", data["list"], day, 1 if kind == "Listed" else -1)

    def _subject_facts(self, tx: ViewTx, env: dict[str, Any]) -> None:
        """Facts counted by the kind of their subject (one cached read per subject at most)."""
        kind = self.scores.kind(tx, env["subject"])
        if kind is None:
            return
        code, day, legal = env["subject"], business_day(env), kind in LEGAL_PERSON_KINDS
        if env["type"] in KINDS:
            tx.execute(f"INSERT INTO {tx.t('ind_published')} AS cur VALUES (?, ?, ?, ?, 1, ?) "
                       "ON CONFLICT (authority, kind, day, legal) DO UPDATE SET recorded = "
                       "cur.recorded + 1, on_time = cur.on_time + excluded.on_time",
                       (env["authority"], KINDS[env["type"]], day, int(legal),
                        int(not env["data"].get("late", False))))
        elif legal:
            count(tx, "public_record", env["type"], day, RECORD_EVENTS[env["type"]])
        if env["type"] == "CommitmentMade" and kind in MARKET_KINDS:
            first(tx, "first_commitment_on", code, day)


VIEW = IndicatorsView()
