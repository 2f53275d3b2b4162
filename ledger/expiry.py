"""Publicity that reaches its maximum without repair ends by itself, exactly once.

Finding what is due: a side table `<app>_expiry_due` (ledger/store/sidetables.py) indexes every
PenaltyImposed and Listed by the date its publicity must stop, fed by following the store's
notification log; a run takes the rows due by `today`, re-reads each subject, and records
PenaltyPublicityEnded / Delisted (reason expired) only where the target is still shown. The
subject's own state makes re-runs and crashed runs harmless; rows are deleted after saving.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from ledger.application import CreditLedger
from ledger.domain import subject_events as ev
from ledger.domain.correction_events import PENALTY_META, PenaltyCorrected, record_of
from ledger.domain.errors import Conflict
from ledger.domain.repair import RepairPolicy, Target, listing_target, penalty_target
from ledger.domain.subject import Subject, subject_stream
from ledger.importing.bulk_store import load_subjects
from ledger.runtime import Periodic, Runtime
from ledger.store.sidetables import SideTables
from ledger.store.sql import Tx
from ledger.store.tables import SIDE_TABLES

log = logging.getLogger(__name__)
ACTOR = "expiry"
# A corrected penalty's window is recomputed: the index follows it (the earlier end wins).
TOPICS = [get_topic(ev.PenaltyImposed), get_topic(ev.Listed), get_topic(PenaltyCorrected)]
Row = tuple[str, str, str, str]  # subject, kind, target key, due on


class Expiry:
    """The due index and the runs that end publicity at its maximum."""

    def __init__(self, ledger: CreditLedger, policy: RepairPolicy, chunk: int = 500) -> None:
        self.ledger, self.policy, self.chunk = ledger, policy, chunk
        self.side = SideTables(ledger.recorder, {"expiry_due": SIDE_TABLES["expiry_due"]})
        self.table = self.side.t("expiry_due")

    def catch_up(self) -> int:
        return self.side.follow("expiry_due", TOPICS, self._index_rows, self._insert)

    def run(self, today: date | None = None) -> Counter[str]:
        """End every publicity and listing due by `today`; returns counts of what was recorded."""
        today = today or self.ledger.clock()
        self.catch_up()
        counts: Counter[str] = Counter()
        conflicts = 0
        while rows := self._due(today):
            by_subject: dict[str, list[Row]] = defaultdict(list)
            for row in rows:
                by_subject[row[0]].append(row)
            done = self._expire(by_subject, today)
            if done is None:  # a subject was written meanwhile: redo the chunk on fresh state
                conflicts += 1
                if conflicts > self.ledger.conflict_retries:
                    raise Conflict("expiry: subjects keep changing under the run; retry later")
                continue
            counts += done
        return counts

    # -- the index ---------------------------------------------------------------

    def _index_rows(self, notes: Sequence[Any]) -> list[Row]:
        rows = []
        for note in notes:
            fields = orjson.loads(note.state)
            found = _target(note.topic, fields)
            until = found.window(self.policy)[1]
            if until is not None:  # a red listing with no expiry date stays until removed
                rows.append((fields["subject"], found.kind, _key(found), until.isoformat()))
        return rows

    def _insert(self, tx: Tx, rows: list[Row]) -> None:
        tx.executemany(f"INSERT INTO {self.table} AS cur (subject, kind, target_key, due_on) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (subject, kind, target_key) DO UPDATE "
                       "SET due_on = excluded.due_on WHERE excluded.due_on < cur.due_on", rows)

    def _due(self, today: date) -> list[Row]:
        with self.side.transaction(commit=False) as tx:
            found = tx.fetchall(f"SELECT subject, kind, target_key, due_on FROM {self.table} "
                                "WHERE due_on <= ? ORDER BY due_on, subject LIMIT ?",
                                (today.isoformat(), self.chunk))
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in found]

    # -- the run -------------------------------------------------------------------

    def _expire(self, by_subject: dict[str, list[Row]], today: date) -> Counter[str] | None:
        counts: Counter[str] = Counter()
        later: list[tuple[str, Row]] = []
        # One query for the chunk: the library would read one subject per round trip.
        found = load_subjects(self.ledger, [subject_stream(code) for code in by_subject])
        subjects = list(found.values())
        for subject in subjects:
            counts += end_due(subject, by_subject[subject.code], today, self.policy, later)
        changed = [s for s in subjects if s.pending_events]
        try:
            if changed:
                self.ledger.save(*changed)
        except IntegrityError:
            return None
        with self.side.transaction() as tx:
            tx.executemany(f"DELETE FROM {self.table} WHERE subject = ? AND kind = ? AND "
                           "target_key = ?", [row[:3] for rows in by_subject.values()
                                              for row in rows])
            # Where the rules now put the end later, keep watching the target.
            tx.executemany(f"INSERT INTO {self.table} (subject, kind, target_key, due_on) "
                           "VALUES (?, ?, ?, ?)", [(*row[:3], due_on) for due_on, row in later])
        return counts


def end_due(subject: Subject, rows: list[Row], today: date, policy: RepairPolicy,
            later: list[tuple[str, Row]]) -> Counter[str]:
    """Record the ends that are due on one subject; note rows whose end moved later."""
    counts: Counter[str] = Counter()
    for row in rows:
        kind, key = row[1], row[2]
        entry = subject.penalties.get(key) if kind == "penalty" else subject.listings.get(key)
        if entry is None:
            continue
        target = (penalty_target(key.split("|", 1)[0], entry) if kind == "penalty"
                  else listing_target(entry))
        until = target.window(policy)[1]
        if not target.active or until is None:
            continue  # repaired, revoked or removed before its maximum: nothing to end
        if until > today:
            later.append((until.isoformat(), row))
        elif kind == "penalty":
            subject.end_penalty_publicity(penalty_authority=target.authority,
                                          decision_no=target.id, ended_on=until,
                                          reason="expired", authority=target.authority,
                                          actor=ACTOR)
            counts["penalty_publicity_ended"] += 1
        else:
            subject.remove_from_list(listing_id=target.id, authority=target.authority,
                                     actor=ACTOR, delisted_on=until, reason="expired",
                                     today=today)
            counts["delisted"] += 1
    return counts


def _target(topic: str, fields: dict[str, Any]) -> Target:
    if topic == TOPICS[0]:
        return penalty_target(fields["authority"], {"data": fields["data"], "status": "public"})
    if topic == TOPICS[2]:
        return penalty_target(fields["data"]["penalty_authority"],
                              {"data": record_of(fields["data"], PENALTY_META),
                               "status": "public"})
    return listing_target({"data": fields["data"], "authority": fields["authority"],
                           "active": True})


def _key(target: Target) -> str:
    return ev.key(target.authority, target.id) if target.kind == "penalty" else target.id


class ExpiryService(Periodic):
    """Runs the expiry process on start and then every `interval` seconds."""

    name, status_key = "expiry", "last_run"

    def __init__(self, expiry: Expiry, interval: float) -> None:
        super().__init__(interval)
        self.expiry = expiry

    def step(self) -> dict[str, Any]:
        return {"ok": True} | dict(self.expiry.run())


def service_for(runtime: Runtime) -> ExpiryService | None:
    if not runtime.wanted.get("expire", False):
        return None
    expiry = Expiry(runtime.ledger, runtime.ledger.policy)
    return ExpiryService(expiry, runtime.settings.expiry_interval_s)
