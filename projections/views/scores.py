"""Scores: each subject's current score and grade, and the contributions that explain it.

Contributions are rows with the business dates they count from and until, so a score can
also be read as of any past date. The indicator view keeps its own copy of these rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.domain.scoring import (
    Contribution,
    ModelBook,
    Score,
    business_day,
    contributions,
    default_book,
    evaluate,
    record_key,
)
from projections.view import ViewTx

SUBJECT_COLUMNS = ("code TEXT PRIMARY KEY, kind TEXT NOT NULL, family TEXT NOT NULL, "
                   "registered_on TEXT NOT NULL, last_on TEXT NOT NULL, raw INTEGER NOT NULL, "
                   "score INTEGER NOT NULL, grade TEXT NOT NULL, model_version TEXT NOT NULL")
CONTRIBUTION_COLUMNS = (
    "event_id TEXT NOT NULL, rule TEXT NOT NULL, code TEXT NOT NULL, record TEXT NOT NULL, "
    "points INTEGER NOT NULL, model_version TEXT NOT NULL, stream TEXT NOT NULL, "
    "version BIGINT NOT NULL, type TEXT NOT NULL, on_day TEXT NOT NULL, ended_on TEXT, "
    "ended_by TEXT, PRIMARY KEY (event_id, rule)")
ROW = "record, points, rule, model_version, event_id, stream, version, type, on_day"


class ScoreRows:
    """Maintains a subject table and a contribution table for every scored event."""

    def __init__(self, subjects: str, rows: str, book: ModelBook | None = None) -> None:
        self.subjects, self.rows = subjects, rows
        self.book = book or default_book()

    @property
    def tables(self) -> dict[str, str]:
        return {self.subjects: SUBJECT_COLUMNS, self.rows: CONTRIBUTION_COLUMNS}

    @property
    def indexes(self) -> list[str]:
        return [f"CREATE INDEX {{{self.rows}}}_by_record ON {{{self.rows}}} (code, record)"]

    def apply(self, tx: ViewTx, env: dict[str, Any]) -> list[Contribution]:
        """Record this event's contributions and end those it ends; returns the new ones."""
        if record_key(env) is None:
            return []
        code, day = env["subject"], business_day(env)
        if env["type"] == "SubjectRegistered":
            family = self.book.family(env["data"]["kind"])
            tx.execute(f"INSERT INTO {tx.t(self.subjects)} VALUES (?, ?, ?, ?, ?, 0, 0, '', '') "
                       "ON CONFLICT (code) DO NOTHING",
                       (code, env["data"]["kind"], family, day, day))
        row = tx.fetchone(f"SELECT family, raw, last_on FROM {tx.t(self.subjects)} "
                          "WHERE code = ?", (code,))
        if row is None:
            return []  # facts about a subject this feed never registered carry no score
        family, raw, last_on = row
        raw += self._end(tx, family, env) if env["type"] != "SubjectRegistered" else 0
        made = contributions(self.book, family, env)
        for c in made:
            tx.execute(f"INSERT INTO {tx.t(self.rows)} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "NULL, NULL)", (c.event_id, c.rule, code, c.key, c.points,
                                       c.model_version, c.stream, c.version, c.type, c.on))
            raw += c.points
        last_on = max(last_on, day)
        model = self.book.model(family, last_on)
        score = model.clamp(raw)
        tx.execute(f"UPDATE {tx.t(self.subjects)} SET raw = ?, score = ?, grade = ?, "
                   "model_version = ?, last_on = ? WHERE code = ?",
                   (raw, score, model.grade(score), model.version, last_on, code))
        return made

    def _end(self, tx: ViewTx, family: str, env: dict[str, Any]) -> int:
        """End the active contributions of this event's record that its type ends."""
        active = tx.fetchall(
            f"SELECT event_id, rule, points, model_version FROM {tx.t(self.rows)} "
            "WHERE code = ? AND record = ? AND ended_on IS NULL", (env["subject"], record_key(env)))
        delta = 0
        for event_id, rule, points, version in active:
            if self.book.ends(family, version, rule, env["type"]):
                tx.execute(f"UPDATE {tx.t(self.rows)} SET ended_on = ?, ended_by = ? "
                           "WHERE event_id = ? AND rule = ?",
                           (business_day(env), env["id"], event_id, rule))
                delta -= points
        return delta

    def score(self, tx: ViewTx, code: str, as_of: str | None = None) -> Score | None:
        """A subject's score now (every fact) or as of a business date; None if unknown then."""
        row = tx.fetchone(f"SELECT family, registered_on, last_on FROM {tx.t(self.subjects)} "
                          "WHERE code = ?", (code,))
        if row is None or (as_of is not None and as_of < row[1]):
            return None
        family, _, last_on = row
        if as_of is None:
            found = tx.fetchall(f"SELECT {ROW} FROM {tx.t(self.rows)} WHERE code = ? AND "
                                "ended_on IS NULL ORDER BY on_day, version, rule", (code,))
        else:
            found = tx.fetchall(f"SELECT {ROW} FROM {tx.t(self.rows)} WHERE code = ? AND "
                                "on_day <= ? AND (ended_on IS NULL OR ended_on > ?) "
                                "ORDER BY on_day, version, rule", (code, as_of, as_of))
        return evaluate(self.book, family, _contributions(found), as_of or last_on)

    def raw_as_of(self, tx: ViewTx, as_of: str) -> list[tuple[str, str, str, int]]:
        """(code, kind, family, raw points) of every subject registered by a date."""
        return [(r[0], r[1], r[2], int(r[3] or 0)) for r in tx.fetchall(
            f"SELECT s.code, s.kind, s.family, SUM(c.points) FROM {tx.t(self.subjects)} s "
            f"JOIN {tx.t(self.rows)} c ON c.code = s.code WHERE s.registered_on <= ? AND "
            "c.on_day <= ? AND (c.ended_on IS NULL OR c.ended_on > ?) "
            "GROUP BY s.code, s.kind, s.family", (as_of, as_of, as_of))]


def _contributions(rows: Sequence[tuple[Any, ...]]) -> list[Contribution]:
    return [Contribution(r[0], int(r[1]), r[2], r[3], r[4], r[5], int(r[6]), r[7], r[8])
            for r in rows]


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
