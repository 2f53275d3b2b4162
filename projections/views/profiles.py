"""Subject profiles: identity, permits, penalties, commitments and principals.

Visibility that depends on the calendar (a penalty's publicity window) is decided when the
profile is read (projections/profile_sql.py), so the view needs no daily re-run. Persons appear
by pseudonym and masked ID number only: events never carry the number itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from ledger.domain.correction_events import record_owner
from projections.batch import Batch, Statements
from projections.view import View, ViewTx
from projections.views import profile_corrections as fixes

Handler = Callable[[Batch, dict[str, Any]], None]

PERMIT_COLUMNS = ("decision_no", "category", "decided_on", "published_on", "late")
PENALTY_COLUMNS = ("decision_no", "severity", "domain", "category", "basis", "decided_on",
                   "published_on", "late", "publicity_min_until", "publicity_max_until")
# A rebuild's stage spools the permit and penalty rows (projections.spool) with the version
# of the event that made them (a row's facts are all its subject's, in the subject's one
# stream), and defers their updates (revoked, closed): each row takes the last of the
# updates after it, as the updates applied one event at a time leave it; an update before
# its row (out of order: no aggregate allows it) misses it, as it would have.
# Corrections are deferred beside them, each row taking the last correction after it too
# (projections/views/profile_corrections.py: PERMIT_UPDATES, PENALTY_UPDATES, *_LAST).
COMMITMENT_COLUMNS = ("commitment_id", "type", "made_on", "due_on", "content", "commitment_no")


def details(data: dict[str, Any], columns: tuple[str, ...]) -> str:
    """The fields without a column of their own, as canonical JSON."""
    rest = {k: v for k, v in data.items() if k not in columns}
    return orjson.dumps(rest, option=orjson.OPT_SORT_KEYS).decode()


def registered(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    b.insert("INSERT INTO {profile_subject} (code, name, name_fold, kind, masked, "
             "registered_on, authority, code_check_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (code) DO NOTHING",
             (d["code"], d["name"], d["name"].casefold(), d["kind"], d.get("masked"),
              env["occurred_at"], env["authority"], int(bool(d.get("code_check_failed")))))


def principal_linked(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    b.insert("INSERT INTO {profile_principal} (code, role, principal, name, since) "
             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code, role, principal) DO UPDATE SET "
             "name = excluded.name, since = excluded.since",
             (env["subject"], d["role"], d["principal"], d.get("name"), d.get("since")))


def permit_granted(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    b.row("profile_permit", "INSERT INTO {profile_permit} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          (env["subject"], env["authority"], d["decision_no"], d.get("category"),
           d["decided_on"], d["published_on"], int(bool(d.get("late"))), "valid", None,
           details(d, PERMIT_COLUMNS), int(env["version"])),
          ("permit", env["subject"], env["authority"], d["decision_no"]))


def permit_revoked(b: Batch, env: dict[str, Any]) -> None:
    d, owner = env["data"], record_owner(env)
    on = d.get("revoked_on") or env["occurred_at"]
    b.deferred("profile_permit", "UPDATE {profile_permit} SET status = 'revoked', "
               "revoked_on = ? WHERE code = ? AND authority = ? AND decision_no = ?",
               (on, env["subject"], owner, d["decision_no"]),
               ("permit", env["subject"], owner, d["decision_no"]),
               (env["subject"], owner, d["decision_no"], int(env["version"]), on,
                *fixes.NO_PERMIT_FIX))


def penalty_imposed(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    b.row("profile_penalty", "INSERT INTO {profile_penalty} VALUES "
          "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          (env["subject"], env["authority"], d["decision_no"], d["severity"], d["domain"],
           d.get("category"), d.get("basis"), d["decided_on"], d["published_on"],
           int(bool(d.get("late"))), d["publicity_min_until"], d["publicity_max_until"],
           "public", None, None, details(d, PENALTY_COLUMNS), int(env["version"])),
          ("penalty", env["subject"], env["authority"], d["decision_no"]))


def close_penalty(b: Batch, env: dict[str, Any], authority: str, decision_no: str,
                  status: str, on: str, reason: str | None) -> None:
    code = env["subject"]
    b.deferred("profile_penalty", "UPDATE {profile_penalty} SET status = ?, closed_on = ?, "
               "closed_reason = ? WHERE code = ? AND authority = ? AND decision_no = ?",
               (status, on, reason, code, authority, decision_no),
               ("penalty", code, authority, decision_no),
               (code, authority, decision_no, int(env["version"]), status, on, reason,
                *fixes.NO_PENALTY_FIX))


def penalty_revoked(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    close_penalty(b, env, record_owner(env), d["decision_no"], "revoked",
                  d["revoked_on"], d.get("reason"))


def publicity_ended(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    close_penalty(b, env, d["penalty_authority"], d["decision_no"], "ended",
                  d["ended_on"], d.get("reason"))


def commitment_made(b: Batch, env: dict[str, Any]) -> None:
    d = env["data"]
    b.insert("INSERT INTO {profile_commitment} (commitment_id, code, authority, "
             "type, made_on, due_on, content, commitment_no, status) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'made') ON CONFLICT (commitment_id) DO NOTHING",
             (d["commitment_id"], env["subject"], env["authority"], d["type"], d["made_on"],
              d.get("due_on"), d.get("content"), d.get("commitment_no")),
             ("commitment", d["commitment_id"]))


def commitment_settled(status: str) -> Handler:
    def settle(b: Batch, env: dict[str, Any]) -> None:
        d = env["data"]
        b.update("UPDATE {profile_commitment} SET status = ?, settled_on = ?, "
                 "note = ? WHERE commitment_id = ?",
                 (status, d.get("on") or env["occurred_at"], d.get("note"),
                  d["commitment_id"]), ("commitment", d["commitment_id"]))

    return settle


HANDLERS: dict[str, Handler] = {
    "SubjectRegistered": registered,
    "PrincipalLinked": principal_linked,
    "PermitGranted": permit_granted,
    "PermitRevoked": permit_revoked,
    "PenaltyImposed": penalty_imposed,
    "PenaltyRevoked": penalty_revoked,
    "PenaltyPublicityEnded": publicity_ended,
    "CommitmentMade": commitment_made,
    "CommitmentFulfilled": commitment_settled("fulfilled"),
    "CommitmentBreached": commitment_settled("breached"),
    "PermitCorrected": lambda b, env: fixes.permit_corrected(b, env, PERMIT_COLUMNS),
    "PenaltyCorrected": lambda b, env: fixes.penalty_corrected(b, env, PENALTY_COLUMNS),
    "SubjectRenamed": fixes.renamed,
    "SubjectDeregistered": fixes.deregistered,
}


class ProfilesView(View):
    """One row per subject, permit, penalty, commitment and principal link."""

    name = "profiles"

    def __init__(self) -> None:
        self.tables = {
            "profile_subject": "code TEXT PRIMARY KEY, name TEXT NOT NULL, "
            "name_fold TEXT NOT NULL, kind TEXT NOT NULL, masked TEXT, registered_on TEXT, "
            "authority TEXT, code_check_failed INTEGER NOT NULL",
            "profile_permit": "code TEXT NOT NULL, authority TEXT NOT NULL, "
            "decision_no TEXT NOT NULL, category TEXT, decided_on TEXT, published_on TEXT, "
            "late INTEGER NOT NULL, status TEXT NOT NULL, revoked_on TEXT, details TEXT, "
            "version BIGINT NOT NULL, PRIMARY KEY (code, authority, decision_no)",
            "profile_penalty": "code TEXT NOT NULL, authority TEXT NOT NULL, "
            "decision_no TEXT NOT NULL, severity TEXT, domain TEXT, category TEXT, basis TEXT, "
            "decided_on TEXT, published_on TEXT, late INTEGER NOT NULL, "
            "publicity_min_until TEXT, publicity_max_until TEXT, status TEXT NOT NULL, "
            "closed_on TEXT, closed_reason TEXT, details TEXT, version BIGINT NOT NULL, "
            "PRIMARY KEY (code, authority, decision_no)",
            "profile_commitment": "commitment_id TEXT PRIMARY KEY, code TEXT NOT NULL, "
            "authority TEXT, type TEXT NOT NULL, made_on TEXT, due_on TEXT, content TEXT, "
            "commitment_no TEXT, status TEXT NOT NULL, settled_on TEXT, note TEXT",
            "profile_principal": "code TEXT NOT NULL, role TEXT NOT NULL, "
            "principal TEXT NOT NULL, name TEXT, since TEXT, PRIMARY KEY (code, role, principal)",
        } | fixes.TABLES
        self.indexes = [
            "CREATE INDEX principal_of ON {profile_principal} (principal)",
            "CREATE INDEX commitment_code ON {profile_commitment} (code)",
            "CREATE INDEX subject_name ON {profile_subject} (name_fold)",
            *fixes.INDEXES,
        ]
        self.statements = Statements(self.tables)

    def apply_indexes(self) -> list[str]:
        return []  # updates go by primary key

    def merges(self) -> dict[str, str]:
        return {}  # every row is one subject's

    def spooled(self) -> dict[str, tuple[str, str]]:
        return {"profile_permit": (fixes.PERMIT_UPDATES, fixes.PERMIT_LAST),
                "profile_penalty": (fixes.PENALTY_UPDATES, fixes.PENALTY_LAST)}

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        batch = Batch(tx, self.statements)
        for env in envelopes:
            handler = HANDLERS.get(env["type"])
            if handler is not None:
                handler(batch, env)
        batch.flush()


VIEW = ProfilesView()
