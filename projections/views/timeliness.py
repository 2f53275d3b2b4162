"""Publicity timeliness per authority: permits and penalties published within 7 working days.

Counts are kept per authority, record kind and decision date, so the share can be read as of
any date. A record marked `late` at recording missed the limit (DOMAIN.md, 国发〔2016〕33号).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ledger.domain.correction_events import record_owner
from ledger.domain.scoring import business_day
from projections.batch import Batch, Statements
from projections.view import View, ViewTx

TARGET = 1.0
KINDS = {"PermitGranted": "permit", "PenaltyImposed": "penalty"}
CORRECTED = {"PermitCorrected": "permit", "PenaltyCorrected": "penalty"}


def recount(env: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    """(kind, decision day, recorded, on time) a correction moves: its record leaves the
    counts of its former decision day and lateness and joins those of the corrected ones
    (nothing when neither changed)."""
    kind = CORRECTED.get(env["type"])
    data = env["data"]
    previous = data.get("previous") or {} if kind else {}
    if kind is None or not ("decided_on" in previous or "late" in previous):
        return []
    day, late = previous.get("decided_on", data["decided_on"]), previous.get("late", data["late"])
    return [(kind, str(day), -1, -int(not late)),
            (kind, str(data["decided_on"]), 1, int(not data["late"]))]


# Adds (recorded, on_time) of a batch to a dated counter row.
COUNT = ("INSERT INTO {timeliness_day} AS cur VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT (authority, kind, day) DO UPDATE SET "
         "recorded = cur.recorded + excluded.recorded, on_time = cur.on_time + excluded.on_time")


COUNTER_COLUMNS = ("authority TEXT NOT NULL, kind TEXT NOT NULL, day TEXT NOT NULL, "
                   "recorded BIGINT NOT NULL, on_time BIGINT NOT NULL, "
                   "PRIMARY KEY (authority, kind, day)")


def summary(recorded: int, on_time: int) -> dict[str, Any]:
    share = None if recorded == 0 else on_time / recorded
    return {"recorded": recorded, "on_time": on_time, "late": recorded - on_time,
            "share": share, "target": TARGET,
            "passed": None if share is None else share >= TARGET}


class TimelinessView(View):
    """Per authority: permits and penalties recorded, published on time, and the share."""

    name = "timeliness"

    def __init__(self) -> None:
        self.tables = {"timeliness_day": COUNTER_COLUMNS}
        self.indexes: list[str] = []
        self.statements = Statements(self.tables)

    def merges(self) -> dict[str, str]:
        return {"timeliness_day": COUNT}  # an authority's counts, from many subjects

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        """Counts summed per (authority, kind, day) over the batch, one upsert each."""
        batch = Batch(tx, self.statements)
        for env in envelopes:
            kind = KINDS.get(env["type"])
            if kind is None:
                for k, day, recorded, on_time in recount(env):
                    batch.add(COUNT, (record_owner(env), k, day), recorded, on_time)
                continue
            data = env["data"]
            day = str(data.get("decided_on") or business_day(env))
            batch.add(COUNT, (env["authority"], kind, day), 1, int(not data.get("late", False)))
        batch.flush()

    def authorities(self, tx: ViewTx, as_of: str, authority: str | None = None,
                    ) -> list[dict[str, Any]]:
        """Per authority (optionally one), totals and per-kind figures as of a date."""
        where, params = "day <= ?", [as_of]
        if authority is not None:
            where, params = where + " AND authority = ?", [*params, authority]
        rows = tx.fetchall(
            f"SELECT authority, kind, SUM(recorded), SUM(on_time) FROM {tx.t('timeliness_day')} "
            f"WHERE {where} GROUP BY authority, kind ORDER BY authority, kind", params)
        grouped: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for auth, kind, recorded, on_time in rows:
            grouped[auth][kind] = (int(recorded), int(on_time))
        return [{"authority": auth,
                 **summary(sum(r for r, _ in kinds.values()), sum(o for _, o in kinds.values())),
                 "by_kind": {k: summary(*v) for k, v in sorted(kinds.items())}}
                for auth, kinds in grouped.items()]


VIEW = TimelinessView()
