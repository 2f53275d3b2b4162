"""Scores: each subject's current score and grade, and the contributions that explain it.

Contributions are rows with the business dates they count from and until, so a score can
also be read as of any past date. The indicator view keeps its own copy of these rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.domain.scoring import (
    BASE_RULE,
    Contribution,
    ModelBook,
    Score,
    business_day,
    contributions,
    default_book,
    record_key,
    score_of,
)
from projections.view import ViewTx

SUBJECT_COLUMNS = ("code TEXT PRIMARY KEY, kind TEXT NOT NULL, family TEXT NOT NULL, "
                   "registered_on TEXT NOT NULL")
CONTRIBUTION_COLUMNS = (
    "event_id TEXT NOT NULL, rule TEXT NOT NULL, code TEXT NOT NULL, record TEXT NOT NULL, "
    "points INTEGER NOT NULL, model_version TEXT NOT NULL, stream TEXT NOT NULL, "
    "version BIGINT NOT NULL, type TEXT NOT NULL, on_day TEXT NOT NULL, until_types TEXT "
    "NOT NULL, ended_on TEXT, ended_by TEXT, PRIMARY KEY (event_id, rule)")
ROW = "record, points, rule, model_version, event_id, stream, version, type, on_day, ended_on"
CACHE_LIMIT = 100_000


class KindCache:
    """Subject kinds by code: immutable once registered, so remembering them saves a read per
    event; keyed by physical table, so generations and ledgers never mix; bounded."""

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self.limit, self.kinds = limit, dict[tuple[str, str], str]()

    def remember(self, table: str, code: str, kind: str) -> None:
        if len(self.kinds) >= self.limit:
            self.kinds.clear()
        self.kinds[(table, code)] = kind

    def kind(self, tx: ViewTx, table: str, code: str) -> str | None:
        physical = tx.t(table)
        found = self.kinds.get((physical, code))
        if found is None:
            row = tx.fetchone(f"SELECT kind FROM {physical} WHERE code = ?", (code,))
            if row is None:
                return None
            found = row[0]
            self.remember(physical, code, found)
        return found


class ScoreRows:
    """Maintains a subject table and a contribution table for every scored event.

    Applying an event only writes (no reads but a cached kind), so that a batch streams to
    the database; scores and grades are computed from the rows when read.
    """

    def __init__(self, subjects: str, rows: str, book: ModelBook | None = None) -> None:
        self.subjects, self.rows = subjects, rows
        self.book = book or default_book()
        self.cache = KindCache()
        self._untils: dict[tuple[str, str, str], str] = {}

    @property
    def tables(self) -> dict[str, str]:
        return {self.subjects: SUBJECT_COLUMNS, self.rows: CONTRIBUTION_COLUMNS}

    @property
    def indexes(self) -> list[str]:
        return [f"CREATE INDEX {self.rows}_by_code ON {{{self.rows}}} (code, on_day)"]

    def kind(self, tx: ViewTx, code: str) -> str | None:
        return self.cache.kind(tx, self.subjects, code)

    def apply(self, tx: ViewTx, env: dict[str, Any]) -> list[Contribution]:
        """Record this event's contributions and end those it ends; returns the new ones."""
        if record_key(env) is None:
            return []
        code, kind = env["subject"], env["data"].get("kind")
        if env["type"] == "SubjectRegistered":
            tx.execute(f"INSERT INTO {tx.t(self.subjects)} VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (code) DO NOTHING",
                       (code, kind, self.book.family(kind), business_day(env)))
            self.cache.remember(tx.t(self.subjects), code, kind)
        else:
            kind = self.kind(tx, code)
            if kind is None:
                return []  # facts about a subject this feed never registered carry no score
            if env["type"] in self.book.enders:
                self._end(tx, env)
        made = contributions(self.book, self.book.family(kind), env)
        for c in made:
            tx.execute(f"INSERT INTO {tx.t(self.rows)} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "NULL, NULL)", (c.event_id, c.rule, code, c.key, c.points,
                                       c.model_version, c.stream, c.version, c.type, c.on,
                                       self._until(kind, c)))
        return made

    def _until(self, kind: str, c: Contribution) -> str:
        """The event types that end a contribution, as ",A,B," for a LIKE match."""
        key = (self.book.family(kind), c.model_version, c.rule)
        found = self._untils.get(key)
        if found is None:
            rule = self.book.version(*key[:2]).rule(c.rule)
            found = self._untils[key] = "," + ",".join(sorted(rule.until if rule else ())) + ","
        return found

    def _end(self, tx: ViewTx, env: dict[str, Any]) -> None:
        """End the active contributions of this event's record that its type ends."""
        tx.execute(f"UPDATE {tx.t(self.rows)} SET ended_on = ?, ended_by = ? WHERE code = ? "
                   "AND record = ? AND ended_on IS NULL AND until_types LIKE ?",
                   (business_day(env), env["id"], env["subject"], record_key(env),
                    f"%,{env['type']},%"))

    def score(self, tx: ViewTx, code: str, as_of: str | None = None) -> Score | None:
        """A subject's score now (every fact) or as of a business date; None if unknown then."""
        row = tx.fetchone(f"SELECT family FROM {tx.t(self.subjects)} WHERE code = ?", (code,))
        if row is None:
            return None
        found = tx.fetchall(f"SELECT {ROW} FROM {tx.t(self.rows)} WHERE code = ?", (code,))
        return score_of(self.book, row[0], [(_contribution(r), r[9]) for r in found], as_of)

    def raw_as_of(self, tx: ViewTx, as_of: str) -> list[tuple[str, str, str, int]]:
        """(code, kind, family, raw points) of every subject known by a date (a fact by then)."""
        return [(r[0], r[1], r[2], int(r[3] or 0)) for r in tx.fetchall(
            f"SELECT s.code, s.kind, s.family, SUM(CASE WHEN c.ended_on IS NULL OR "
            f"c.ended_on > ? THEN c.points ELSE 0 END) FROM {tx.t(self.subjects)} s "
            f"JOIN {tx.t(self.rows)} c ON c.code = s.code WHERE c.on_day <= ? OR "
            f"c.rule = '{BASE_RULE}' GROUP BY s.code, s.kind, s.family "
            "HAVING MIN(c.on_day) <= ?", (as_of, as_of, as_of))]


def _contribution(r: Sequence[Any]) -> Contribution:
    return Contribution(r[0], int(r[1]), r[2], r[3], r[4], r[5], int(r[6]), r[7], r[8])


class ScoresView:
    """Per subject: score, grade or band, and its explanation rows."""

    name = "scores"

    def __init__(self, book: ModelBook | None = None) -> None:
        self.rows = ScoreRows("score_subject", "score_contribution", book)
        self.tables = self.rows.tables
        self.indexes = self.rows.indexes

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.rows.apply(tx, envelope)

    def score(self, tx: ViewTx, code: str, as_of: str | None = None) -> Score | None:
        return self.rows.score(tx, code, as_of)


VIEW = ScoresView()
