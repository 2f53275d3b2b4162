"""The plan's measurable targets (DOMAIN.md), kept as dated rows so any date can be read.

It keeps its own copies of red and black listings (with their expiry: what is shown on a day
is read by ledger.domain.visibility, whether or not the expiry process has run), repair
marks and approved repair exits, and its own subjects, so it applies events on its own;
for scores it reads the scores view's rows (`READS`) rather than keep a copy of the biggest
table there is (docs/adr/008). The scorecard itself is computed
from these rows in `projections.views._scorecard`.

Every subject row and counter carries its subject's `origin` (ledger.domain.regions.origin_of:
an organisation's USCC division, a person's registering authority), from which a reader
tells its region (docs/adr/026): the scorecard of one county reads the same rows.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ledger.domain.correction_events import record_owner
from ledger.domain.regions import origin_of
from ledger.domain.scoring import business_day
from ledger.domain.vocabulary import PERSON_KINDS
from projections.batch import Batch, Statements
from projections.view import View, ViewTx
from projections.views import scores
from projections.views.repair_ratios import RepairFacts
from projections.views.scores import KindCache, ScoreRows
from projections.views.timeliness import CORRECTED, KINDS, recount

LEGAL_PERSON_KINDS = frozenset({"enterprise", "farmer_cooperative", "social_organisation",
                                "public_institution", "government_body"})
MARKET_KINDS = frozenset({"enterprise", "individual_business", "farmer_cooperative"})
# Facts that make up a subject's public credit record (公共信用信息), counted per legal person;
# permits and penalties are counted with their timeliness in `ind_published`.
# A revoked permit or penalty is void: no longer a record (docs/adr/022).
RECORD_EVENTS = {"Listed": 1, "CommitmentMade": 1, "PenaltyRevoked": -1, "PermitRevoked": -1}
# The joint reward/punishment workflow (ledger/repair/joint.py: open, respond, close) records
# this event when a case closes with feedback: one valid joint case.
JOINT_CASE_EVENT = "JointCaseClosed"
# An approval system's credit check (ledger/domain/credit_check.py): each measure it applied
# first in its matter is one joint case, in the scenario's domain of joint rewards/punishments.
CHECK_EVENT = "CreditChecked"
# The scores view's tables the scorecard reads: its subjects and its contribution rows.
READS = ("score_subject", "score_contribution")

# When a subject came to exist is `since` in its score row (its earliest fact), not here.
SUBJECT_COLUMNS = ("code TEXT PRIMARY KEY, kind TEXT NOT NULL, name_key TEXT, "
                   "code_error INTEGER NOT NULL, first_commitment_on TEXT, origin TEXT NOT NULL")
PUBLISHED_COLUMNS = ("authority TEXT NOT NULL, kind TEXT NOT NULL, day TEXT NOT NULL, "
                     "legal INTEGER NOT NULL, origin TEXT NOT NULL, recorded BIGINT NOT NULL, "
                     "on_time BIGINT NOT NULL, PRIMARY KEY (authority, kind, day, legal, origin)")
COUNT_COLUMNS = ("metric TEXT NOT NULL, key TEXT NOT NULL, day TEXT NOT NULL, "
                 "origin TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (metric, key, day, origin)")


def name_key(name: str) -> str:
    """An organisation's name folded for duplicate detection (width, case, punctuation)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


# Adds a batch's n to a dated counter row.
COUNT = ("INSERT INTO {ind_count} AS cur VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT (metric, key, day, origin) DO UPDATE SET n = cur.n + excluded.n")
PUBLISHED = ("INSERT INTO {ind_published} AS cur VALUES (?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (authority, kind, day, legal, origin) DO UPDATE SET recorded = "
             "cur.recorded + excluded.recorded, on_time = cur.on_time + excluded.on_time")
REGISTER = ("INSERT INTO {ind_subject} VALUES (?, ?, ?, ?, NULL, ?) "
            "ON CONFLICT (code) DO NOTHING")
# Keeps the earliest date of a per-subject milestone.
FIRST_COMMITMENT = ("UPDATE {ind_subject} SET first_commitment_on = ? WHERE code = ? AND "
                    "(first_commitment_on IS NULL OR first_commitment_on > ?)")


class IndicatorsView(View):
    """Dated facts behind every indicator: subjects, counters, scores, black list, marks."""

    name = "indicators"

    def __init__(self) -> None:
        # The score rows are the scores view's, read by the scorecard: graded by its book.
        self.points = ScoreRows(*READS, scores.VIEW.rows.book)
        # The subjects' kinds and origins its counters need ("kind origin"), from ind_subject.
        self.kinds = KindCache(column="kind || ' ' || origin")
        self.repair = RepairFacts("ind_listing", "ind_mark", "ind_exit", "ind_gone",
                                  ("red", "black"))
        self.tables = {"ind_subject": SUBJECT_COLUMNS, "ind_count": COUNT_COLUMNS,
                       "ind_published": PUBLISHED_COLUMNS} | self.repair.tables
        self.indexes = ["CREATE INDEX ind_subject_by_name ON {ind_subject} (name_key)",
                        "CREATE INDEX ind_subject_by_origin ON {ind_subject} (origin, code)",
                        "CREATE INDEX ind_listing_by_code ON {ind_listing} (code)"]
        self.statements = Statements(self.tables)

    def apply_indexes(self) -> list[str]:
        return []  # updates go by primary key

    def merges(self) -> dict[str, str]:
        # Counters gather many subjects' facts; marks and exits come from repair cases too.
        return {"ind_count": COUNT, "ind_published": PUBLISHED} | self.repair.merges

    def apply(self, tx: ViewTx, env: dict[str, Any]) -> None:
        self.apply_many(tx, [env])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        batch = Batch(tx, self.statements)
        for env in envelopes:
            self._apply(batch, env)
        batch.flush()

    def _apply(self, b: Batch, env: dict[str, Any]) -> None:
        kind, data, day = env["type"], env["data"], business_day(env)
        if kind == "SubjectRegistered":
            self._register(b, env)
        self.repair.apply(b, env)
        if kind == "Listed":
            b.add(COUNT, ("listing", data["domain"], day, self._origin(b, env)), 1)
        elif kind == JOINT_CASE_EVENT:
            b.add(COUNT, ("joint_case", str(data.get("domain") or "*"), day,
                          self._origin(b, env)), 1)
        elif kind == CHECK_EVENT:
            b.add(COUNT, ("check", data["domain"], day, self._origin(b, env)), 1)
            if data["new_measures"]:
                b.add(COUNT, ("check_measure", data["domain"], day, self._origin(b, env)),
                      data["new_measures"])
        if kind in KINDS or kind in RECORD_EVENTS or kind in CORRECTED:
            self._subject_facts(b, env)

    def _register(self, b: Batch, env: dict[str, Any]) -> None:
        """Insert a subject, its kind remembered for this batch and after."""
        data, code = env["data"], env["subject"]
        kind = data["kind"]
        origin = origin_of(code, kind, env["authority"])
        b.insert(REGISTER, (code, kind, None if kind in PERSON_KINDS else name_key(data["name"]),
                            int(bool(data.get("code_check_failed"))), origin),
                 ("ind_subject", code))
        self.kinds.registered(b, "ind_subject", code, f"{kind} {origin}")

    def _subject(self, b: Batch, code: str) -> tuple[str, str] | None:
        """A registered subject's kind and origin (None: this feed never registered it)."""
        found = self.kinds.in_batch(b, "ind_subject", code)
        if found is None:
            return None
        kind, _, origin = found.partition(" ")
        return kind, origin

    def _origin(self, b: Batch, env: dict[str, Any]) -> str:
        """The origin of an event's subject; "" (the city's) for one never registered."""
        found = self._subject(b, env["subject"])
        return "" if found is None else found[1]

    def _subject_facts(self, b: Batch, env: dict[str, Any]) -> None:
        """Facts counted by the kind of their subject."""
        found = self._subject(b, env["subject"])
        if found is None:
            return
        kind, origin = found
        code, day, legal = env["subject"], business_day(env), kind in LEGAL_PERSON_KINDS
        if env["type"] in KINDS:
            b.add(PUBLISHED, (env["authority"], KINDS[env["type"]], day, int(legal), origin),
                  1, int(not env["data"].get("late", False)))
        elif env["type"] in CORRECTED:  # the record moves to its corrected day and lateness
            for k, on, recorded, on_time in recount(env):
                b.add(PUBLISHED, (record_owner(env), k, on, int(legal), origin), recorded,
                      on_time)
        elif legal:
            b.add(COUNT, ("public_record", env["type"], day, origin), RECORD_EVENTS[env["type"]])
        if env["type"] == "CommitmentMade" and kind in MARKET_KINDS:
            b.update(FIRST_COMMITMENT, (day, code, day), ("ind_subject", code))


VIEW = IndicatorsView()
