"""Scores: each subject's current score and grade, and the contributions that explain it.

Contributions are rows with the business dates they count from and until, so a score can
also be read as of any past date. The indicator view's scorecard reads them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.domain.scoring import (
    BASE_RULE,
    Contribution,
    ModelBook,
    Rule,
    Score,
    ScoreModel,
    business_day,
    default_book,
    record_key,
    score_of,
)
from ledger.domain.visibility import lapses_on, open_sql
from projections.batch import Batch, Statements
from projections.view import View, ViewTx

SUBJECT_COLUMNS = ("code TEXT PRIMARY KEY, kind TEXT NOT NULL, family TEXT NOT NULL, "
                   "registered_on TEXT NOT NULL")
# No primary key: rows are found by subject (the index below), never by (event_id, rule),
# which the runner's dedupe per (stream, version) already keeps unique; a key would be one
# more b-tree per row live and one more sort per rebuild, for the biggest table.
CONTRIBUTION_COLUMNS = (
    "event_id TEXT NOT NULL, rule TEXT NOT NULL, code TEXT NOT NULL, record TEXT NOT NULL, "
    "points INTEGER NOT NULL, model_version TEXT NOT NULL, stream TEXT NOT NULL, "
    "version BIGINT NOT NULL, type TEXT NOT NULL, on_day TEXT NOT NULL, until_types TEXT "
    "NOT NULL, ended_on TEXT, ended_by TEXT, lapses_on TEXT")
# lapses_on: the day the record's own window lapses (ledger.domain.visibility), from the event
# that opened it; readers filter by it, so a score needs no expiry run to drop the points.
ROW = ("record, points, rule, model_version, event_id, stream, version, type, on_day, "
       "ended_on, lapses_on")
# A rebuild's stage spools the contribution rows (projections.spool) and, instead of ending
# rows as it goes, the ends: the events that end a record's rows, each row ended by the first
# of them after it (by version: a record's rows and the events ending them are all facts of
# its subject, in the subject's one stream) whose type is in its `until_types`, as the
# update below does one event at a time.
ENDS_COLUMNS = ("code TEXT NOT NULL, record TEXT NOT NULL, type TEXT NOT NULL, "
                "stream TEXT NOT NULL, version BIGINT NOT NULL, ended_on TEXT NOT NULL, "
                "ended_by TEXT NOT NULL")
APPLY_ENDS = (
    "UPDATE {table} c SET ended_on = f.ended_on, ended_by = f.ended_by FROM ("
    "SELECT DISTINCT ON (r.ctid) r.ctid AS target, e.ended_on, e.ended_by FROM {table} r "
    "JOIN {deferred} e ON e.code = r.code AND e.record = r.record AND e.stream = r.stream "
    "AND e.version > r.version AND r.until_types LIKE '%,' || e.type || ',%' "
    "ORDER BY r.ctid, e.version) f WHERE c.ctid = f.target")
CACHE_LIMIT = 100_000


class KindCache:
    """Subject kinds by code: immutable once registered, so remembering them saves a read per
    event; keyed by physical table, so generations and ledgers never mix; bounded."""

    def __init__(self, limit: int = CACHE_LIMIT, column: str = "kind") -> None:
        # `column`: what is cached, an expression over the table (the indicators view caches
        # kind and origin together).
        self.limit, self.column, self.kinds = limit, column, dict[tuple[str, str], str]()

    def remember(self, physical: str, code: str, kind: str) -> None:
        if len(self.kinds) >= self.limit:
            self.kinds.clear()
        self.kinds[(physical, code)] = kind

    def registered(self, b: Batch, table: str, code: str, kind: str) -> None:
        """A registration in this batch: its kind is known before the batch is written."""
        b.state.setdefault(table, {})[code] = kind
        self.remember(b.names[table], code, kind)

    def in_batch(self, b: Batch, table: str, code: str) -> str | None:
        """A subject's kind: registered in this batch (not written yet), cached, or read."""
        pending: dict[str, str] | None = b.state.get(table)
        if pending is not None and code in pending:
            return pending[code]
        return self.kind(b.tx, b.names[table], code)

    def kind(self, tx: ViewTx, physical: str, code: str) -> str | None:
        found = self.kinds.get((physical, code))
        if found is None:
            row = tx.fetchone(f"SELECT {self.column} FROM {physical} WHERE code = ?", (code,))
            if row is None:
                return None
            found = row[0]
            self.remember(physical, code, found)
        return found


# Per rule that may score an event: (its conditions, rule id, points, until).
Candidate = tuple[tuple[tuple[str, tuple[Any, ...]], ...], str, int, str]


def conditions(rule: Rule) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Rule.matches as (field, allowed values) pairs: a field matches when its value is one of
    them (`in` a tuple compares as `in` the rule's list does)."""
    return tuple((name, tuple(wanted) if isinstance(wanted, list) else (wanted,))
                 for name, wanted in rule.when.items())


class ScoreRows:
    """Maintains a subject table and a contribution table for every scored event.

    Applying an event only writes (no reads but a cached kind), so that a batch streams to
    the database; scores and grades are computed from the rows when read. The rows are those
    of `ledger.domain.scoring.contributions`, built as tuples (a unit test holds them equal).
    """

    def __init__(self, subjects: str, rows: str, book: ModelBook | None = None) -> None:
        self.subjects, self.rows = subjects, rows
        self.book = book or default_book()
        self.cache = KindCache()
        self._candidates: dict[tuple[int, str], tuple[Candidate, ...]] = {}
        self._register = (f"INSERT INTO {{{subjects}}} VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (code) DO NOTHING")
        self._insert = (f"INSERT INTO {{{rows}}} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?)")
        # Ends the active contributions of an event's record that its type ends.
        self._end = (f"UPDATE {{{rows}}} SET ended_on = ?, ended_by = ? WHERE code = ? "
                     "AND record = ? AND ended_on IS NULL AND until_types LIKE ?")

    @property
    def tables(self) -> dict[str, str]:
        return {self.subjects: SUBJECT_COLUMNS, self.rows: CONTRIBUTION_COLUMNS}

    @property
    def spooled(self) -> dict[str, tuple[str, str]]:
        """The table a rebuild's stage spools, with its deferred ends (ENDS_COLUMNS) and the
        statement applying them (projections.spool)."""
        return {self.rows: (ENDS_COLUMNS, APPLY_ENDS)}

    @property
    def indexes(self) -> list[str]:
        return [f"CREATE INDEX {self.rows}_by_code ON {{{self.rows}}} (code, on_day)"]

    def apply(self, b: Batch, env: dict[str, Any]) -> None:
        """Add this event's contributions, and the end of those it ends, to the batch (none
        for an event about no record, or about a subject this feed never registered)."""
        type_, code = env["type"], env["subject"]
        if type_ == "SubjectRegistered":
            kind = env["data"].get("kind")
            b.insert(self._register, (code, kind, self.book.family(kind), business_day(env)))
            self.cache.registered(b, self.subjects, code, kind)
        record = record_key(env)
        if record is None:
            return
        on = business_day(env)
        if type_ != "SubjectRegistered":
            kind = self.cache.in_batch(b, self.subjects, code)
            if kind is None:
                return  # facts about a subject this feed never registered carry no score
            if type_ in self.book.enders:
                b.deferred(self.rows, self._end, (on, env["id"], code, record,
                                                  f"%,{type_},%"), (self.rows, code, record),
                           (code, record, type_, env["stream"], int(env["version"]), on,
                            env["id"]))
        family = self.book.family(kind)
        model = self.book.model(family, on)
        data, rows_key = env["data"], (self.rows, code, record)
        lapses = lapses_on(type_, data)
        for conditions, rule_id, points, until in self._candidates_for(family, model, type_):
            for name, allowed in conditions:
                if data.get(name) not in allowed:
                    break
            else:
                b.row(self.rows, self._insert, (env["id"], rule_id, code, record, points,
                                                model.version, env["stream"],
                                                int(env["version"]), type_, on, until, None,
                                                None, lapses), rows_key)

    def _candidates_for(self, family: str, model: ScoreModel,
                        type_: str) -> tuple[Candidate, ...]:
        """The rules of a model that may score this event type, with their ending types."""
        found = self._candidates.get((id(model), type_))
        if found is None:
            if type_ == "SubjectRegistered":
                found = (((), BASE_RULE, model.base, self._until(family, model, BASE_RULE)),)
            else:
                found = tuple((conditions(r), r.id, r.points, self._until(family, model, r.id))
                              for r in model.rules_on(type_) if r.on == type_)
            self._candidates[(id(model), type_)] = found  # models live as long as the book
        return found

    def _until(self, family: str, model: ScoreModel, rule_id: str) -> str:
        """The event types that end a contribution, as ",A,B," for a LIKE match."""
        rule = self.book.version(family, model.version).rule(rule_id)
        return "," + ",".join(sorted(rule.until if rule else ())) + ","

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
            f"SELECT s.code, s.kind, s.family, SUM(CASE WHEN "
            f"{open_sql('c.ended_on', 'c.lapses_on')} THEN c.points ELSE 0 END) FROM "
            f"{tx.t(self.subjects)} s JOIN {tx.t(self.rows)} c ON c.code = s.code WHERE "
            f"c.on_day <= ? OR c.rule = '{BASE_RULE}' GROUP BY s.code, s.kind, s.family "
            "HAVING MIN(c.on_day) <= ?", (as_of, as_of, as_of, as_of))]


def _contribution(r: Sequence[Any]) -> Contribution:
    return Contribution(r[0], int(r[1]), r[2], r[3], r[4], r[5], int(r[6]), r[7], r[8], r[10])


class ScoresView(View):
    """Per subject: score, grade or band, and its explanation rows."""

    name = "scores"

    def __init__(self, book: ModelBook | None = None) -> None:
        self.rows = ScoreRows("score_subject", "score_contribution", book)
        self.tables = self.rows.tables
        self.indexes = self.rows.indexes
        self.statements = Statements(self.tables)

    def apply_indexes(self) -> list[str]:
        # Ending a record's rows looks them up by code (live; a stage defers the ends).
        return self.rows.indexes

    def merges(self) -> dict[str, str]:
        return {}  # every row is one subject's

    def spooled(self) -> dict[str, tuple[str, str]]:
        return self.rows.spooled

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        batch = Batch(tx, self.statements)
        for env in envelopes:
            self.rows.apply(batch, env)
        batch.flush()

    def score(self, tx: ViewTx, code: str, as_of: str | None = None) -> Score | None:
        return self.rows.score(tx, code, as_of)


VIEW = ScoresView()
