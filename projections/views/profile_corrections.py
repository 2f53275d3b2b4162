"""The profile view's part in corrections: corrected permits and penalties, renamed and
deregistered subjects (docs/adr/022).

A correction event carries the whole corrected record, so its row is updated from the event
alone. In a rebuild's stage, those updates are deferred with the revocations and closings
(projections/views/profiles.py): each row takes the last closing after it and, separately,
the last correction after it, which is what applying them one event at a time leaves.
"""

from __future__ import annotations

from typing import Any

import orjson

from ledger.domain.correction_events import PENALTY_META, PERMIT_META, record_of, record_owner
from projections.batch import Batch

# The columns a correction sets, after the deferred columns of a closing (profiles.py).
PENALTY_FIX = ("severity", "domain", "category", "basis", "decided_on", "late",
               "publicity_min_until", "publicity_max_until", "details")
PERMIT_FIX = ("category", "decided_on", "late", "details")
NO_PENALTY_FIX: tuple[None, ...] = (None,) * len(PENALTY_FIX)
NO_PERMIT_FIX: tuple[None, ...] = (None,) * len(PERMIT_FIX)
FIX_TYPES = {"severity": "TEXT", "domain": "TEXT", "category": "TEXT", "basis": "TEXT",
             "decided_on": "TEXT", "late": "INTEGER", "publicity_min_until": "TEXT",
             "publicity_max_until": "TEXT", "details": "TEXT"}

PERMIT_UPDATES = ("code TEXT NOT NULL, authority TEXT NOT NULL, decision_no TEXT NOT NULL, "
                  "version BIGINT NOT NULL, revoked_on TEXT, "
                  + ", ".join(f"{c} {FIX_TYPES[c]}" for c in PERMIT_FIX))
PENALTY_UPDATES = ("code TEXT NOT NULL, authority TEXT NOT NULL, decision_no TEXT NOT NULL, "
                   "version BIGINT NOT NULL, status TEXT, closed_on TEXT, closed_reason TEXT, "
                   + ", ".join(f"{c} {FIX_TYPES[c]}" for c in PENALTY_FIX))

MATCH = ("d.code = r.code AND d.authority = r.authority AND d.decision_no = r.decision_no "
         "AND d.version > r.version")


def last_updates(closing: str, closes: dict[str, str], fixes: tuple[str, ...]) -> str:
    """The statement applying a spooled table's deferred updates: per row, the last closing
    (the deferred rows where `closing` holds; `closes`: column -> its value from them, `c`)
    and, on their own, the columns of the last correction after it (`f`)."""
    def last(where: str, columns: list[str]) -> str:
        return (f"(SELECT DISTINCT ON (r.ctid) r.ctid AS target, "
                f"{', '.join('d.' + c for c in columns)} FROM {{table}} r JOIN {{deferred}} d "
                f"ON {MATCH} AND {where} ORDER BY r.ctid, d.version DESC)")

    read = [c for c in closes.values() if c.startswith("c.")]
    sets = [f"{c} = CASE WHEN c.target IS NULL THEN t.{c} ELSE {v} END"
            for c, v in closes.items()] + [
        f"{c} = CASE WHEN f.target IS NULL THEN t.{c} ELSE f.{c} END" for c in fixes]
    return (f"UPDATE {{table}} t SET {', '.join(sets)} FROM (SELECT DISTINCT r.ctid AS target "
            f"FROM {{table}} r JOIN {{deferred}} d ON {MATCH}) a "
            f"LEFT JOIN {last(closing, [c[2:] for c in read])} c ON c.target = a.target "
            f"LEFT JOIN {last('NOT (' + closing + ')', list(fixes))} f ON f.target = a.target "
            "WHERE t.ctid = a.target")


# A revocation's deferred row says when; a closing's, the status (revoked, ended) and why.
PERMIT_LAST = last_updates("d.revoked_on IS NOT NULL",
                           {"status": "'revoked'", "revoked_on": "c.revoked_on"}, PERMIT_FIX)
PENALTY_LAST = last_updates("d.status IS NOT NULL", {
    "status": "c.status", "closed_on": "c.closed_on", "closed_reason": "c.closed_reason"},
    PENALTY_FIX)

TABLES = {
    "profile_former_name": "code TEXT NOT NULL, name TEXT NOT NULL, name_fold TEXT NOT NULL, "
                           "until TEXT NOT NULL, PRIMARY KEY (code, until, name)",
    "profile_deregistration": "code TEXT PRIMARY KEY, deregistered_on TEXT NOT NULL, "
                              "reason TEXT",
}
INDEXES = ["CREATE INDEX former_name ON {profile_former_name} (name_fold)"]


def canonical(rest: dict[str, Any]) -> str:
    return orjson.dumps(rest, option=orjson.OPT_SORT_KEYS).decode()


def penalty_corrected(b: Batch, env: dict[str, Any], columns: tuple[str, ...]) -> None:
    """The penalty's row takes the corrected record; `details` keeps the correction's date and
    reason beside the record's own descriptive fields."""
    d, code, owner = env["data"], env["subject"], record_owner(env)
    record = record_of(d, PENALTY_META)
    rest = {k: v for k, v in record.items() if k not in columns}
    rest |= {"corrected_on": d["corrected_on"], "correction_reason": d["correction_reason"]}
    fix = (record["severity"], record["domain"], record.get("category"), record.get("basis"),
           record["decided_on"], int(bool(record.get("late"))), record["publicity_min_until"],
           record["publicity_max_until"], canonical(rest))
    b.deferred("profile_penalty", "UPDATE {profile_penalty} SET severity = ?, domain = ?, "
               "category = ?, basis = ?, decided_on = ?, late = ?, publicity_min_until = ?, "
               "publicity_max_until = ?, details = ? WHERE code = ? AND authority = ? AND "
               "decision_no = ?", (*fix, code, owner, d["decision_no"]),
               ("penalty", code, owner, d["decision_no"]),
               (code, owner, d["decision_no"], int(env["version"]), None, None, None, *fix))


def permit_corrected(b: Batch, env: dict[str, Any], columns: tuple[str, ...]) -> None:
    d, code, owner = env["data"], env["subject"], record_owner(env)
    record = record_of(d, PERMIT_META)
    rest = {k: v for k, v in record.items() if k not in columns}
    rest |= {"corrected_on": d["corrected_on"], "correction_reason": d["correction_reason"]}
    fix = (record.get("category"), record["decided_on"], int(bool(record.get("late"))),
           canonical(rest))
    b.deferred("profile_permit", "UPDATE {profile_permit} SET category = ?, decided_on = ?, "
               "late = ?, details = ? WHERE code = ? AND authority = ? AND decision_no = ?",
               (*fix, code, owner, d["decision_no"]), ("permit", code, owner, d["decision_no"]),
               (code, owner, d["decision_no"], int(env["version"]), None, *fix))


def renamed(b: Batch, env: dict[str, Any]) -> None:
    d, code = env["data"], env["subject"]
    b.update("UPDATE {profile_subject} SET name = ?, name_fold = ? WHERE code = ?",
             (d["name"], d["name"].casefold(), code), ("subject", code))
    b.insert("INSERT INTO {profile_former_name} (code, name, name_fold, until) "
             "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
             (code, d["former_name"], d["former_name"].casefold(), d["changed_on"]))


def deregistered(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    b.insert("INSERT INTO {profile_deregistration} (code, deregistered_on, reason) "
             "VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING",
             (env["subject"], d["deregistered_on"], d.get("reason")))
