"""Reads of the profile and list views, as plain dicts for the public API.

Calendar-dependent visibility is decided here, at read time, by the ledger's one definition
(ledger.domain.visibility): a penalty is shown on a day from its decision until it is closed
(revoked, or its publicity ended) or its publicity window lapses (publicity_max_until); a
listing counts from listed_on until it is removed or its expires_on comes.
"""

from __future__ import annotations

from typing import Any

import orjson

from ledger.domain.visibility import shown_sql
from ledger.identity import path_code
from projections.storage import Tx, ViewsNotReady
from projections.views.integrity import VIEW as INTEGRITY

SECTION_LIMIT = 100  # rows per section of one profile; the totals say how many exist
DISHONEST_LISTS = ("black", "key_attention")

LIST_FIELDS = ("listing_id", "list", "domain", "authority", "basis", "notified_on",
               "listed_on", "expires_on", "removal_conditions")
PERMIT_FIELDS = ("authority", "decision_no", "category", "decided_on", "published_on", "late",
                 "status", "revoked_on", "details")
PENALTY_FIELDS = ("authority", "decision_no", "severity", "domain", "category", "basis",
                  "decided_on", "published_on", "late", "publicity_min_until",
                  "publicity_max_until", "details")
COMMITMENT_FIELDS = ("commitment_id", "authority", "type", "made_on", "due_on", "content",
                     "commitment_no", "status", "settled_on", "note")


def member_on(alias: str = "") -> str:
    """SQL condition: the listing counts on the day bound three times as `?`."""
    a = f"{alias}." if alias else ""
    return shown_sql(f"{a}listed_on", f"{a}delisted_on", f"{a}expires_on")


# SQL condition: the penalty is shown on the day bound three times as `?`.
PENALTY_SHOWN = shown_sql("decided_on", "closed_on", "publicity_max_until")


def _rows(fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = dict(zip(fields, row, strict=True))
        if "late" in item:
            item["late"] = bool(item["late"])
        if "details" in item:
            item["details"] = orjson.loads(item["details"]) if item["details"] else {}
        out.append(item)
    return out


def memberships(tx: Tx, code: str, day: str, lists: tuple[str, ...] | None = None,
                ) -> list[dict[str, Any]]:
    where = f"code = ? AND {member_on()}"
    params: list[Any] = [code, *[day] * 3]
    if lists:
        where += f" AND list IN ({','.join('?' * len(lists))})"
        params += lists
    return _rows(LIST_FIELDS, tx.fetchall(
        f"SELECT {', '.join(LIST_FIELDS)} FROM {tx.t('list_entry')} WHERE {where} "
        "ORDER BY listed_on, listing_id", params))


def counted(tx: Tx, table: str, fields: tuple[str, ...], where: str, params: tuple[Any, ...],
            order: str) -> tuple[list[dict[str, Any]], int]:
    """The first SECTION_LIMIT rows and the total, in one round trip (a window count)."""
    rows = tx.fetchall(f"SELECT {', '.join(fields)}, count(*) OVER () FROM {tx.t(table)} "
                       f"WHERE {where} ORDER BY {order} LIMIT {SECTION_LIMIT}", params)
    return _rows(fields, [r[:-1] for r in rows]), int(rows[0][-1]) if rows else 0


def visible_penalties(tx: Tx, code: str, today: str) -> tuple[list[dict[str, Any]], int]:
    return counted(tx, "profile_penalty", PENALTY_FIELDS, f"code = ? AND {PENALTY_SHOWN}",
                   (code, *[today] * 3), "decided_on DESC, authority, decision_no")


def section(tx: Tx, table: str, fields: tuple[str, ...], code: str, order: str,
            ) -> tuple[list[dict[str, Any]], int]:
    return counted(tx, table, fields, "code = ?", (code,), order)


def led_organisations(tx: Tx, code: str, today: str) -> list[dict[str, Any]]:
    """穿透: organisations this subject leads, with their dishonesty records today."""
    rows = tx.fetchall(
        f"SELECT p.code, p.role, p.since, s.name, s.kind FROM {tx.t('profile_principal')} p "
        f"LEFT JOIN {tx.t('profile_subject')} s ON s.code = p.code WHERE p.principal = ? "
        "ORDER BY p.code, p.role", (code,))
    out = []
    for org, role, since, name, kind in rows:
        penalties, total = visible_penalties(tx, org, today)
        out.append({"code": org, "name": name, "kind": kind, "role": role, "since": since,
                    "dishonest_listings": memberships(tx, org, today, DISHONEST_LISTS),
                    "penalties": penalties, "penalties_total": total})
    return out


def profile(tx: Tx, code: str, today: str) -> dict[str, Any] | None:
    """The public profile of a subject on `today`, or None when the code is unknown."""
    row = tx.fetchone(f"SELECT code, name, kind, masked, registered_on, authority "
                      f"FROM {tx.t('profile_subject')} WHERE code = ?", (code,))
    led = led_organisations(tx, code, today)
    if row is None and not led:
        return None
    identity = dict(zip(("code", "name", "kind", "masked", "registered_on", "authority"),
                        row or (code, None, None, None, None, None), strict=True))
    if identity["masked"] is None:
        identity.pop("masked")
    permits, permits_total = section(tx, "profile_permit", PERMIT_FIELDS, code,
                                     "decided_on DESC, authority, decision_no")
    penalties, penalties_total = visible_penalties(tx, code, today)
    commitments, commitments_total = section(tx, "profile_commitment", COMMITMENT_FIELDS,
                                             code, "made_on DESC, commitment_id")
    principals = tx.fetchall(f"SELECT role, principal, name, since FROM "
                             f"{tx.t('profile_principal')} WHERE code = ? ORDER BY role, "
                             "principal", (code,))
    found = identity | {
        "registered": row is not None, "as_of": today,
        "lists": memberships(tx, code, today),
        "permits": permits, "permits_total": permits_total,
        "penalties": penalties, "penalties_total": penalties_total,
        "commitments": commitments, "commitments_total": commitments_total,
        "principals": [dict(zip(("role", "principal", "name", "since"), p, strict=True))
                       for p in principals],
        "led_organisations": led,
    } | lifecycle(tx, code)
    return found | government_defaults(tx, code)


def lifecycle(tx: Tx, code: str) -> dict[str, Any]:
    """Former names (oldest first, each with the day it ended) and the deregistration."""
    former = tx.fetchall(f"SELECT name, until FROM {tx.t('profile_former_name')} WHERE "
                         "code = ? ORDER BY until, name", (code,))
    gone = tx.fetchone(f"SELECT deregistered_on, reason FROM "
                       f"{tx.t('profile_deregistration')} WHERE code = ?", (code,))
    return {"former_names": [{"name": n, "until": u} for n, u in former],
            "deregistered": None if gone is None else {"on": gone[0], "reason": gone[1]}}


def government_defaults(tx: Tx, code: str) -> dict[str, Any]:
    """A body's government defaults, when it has any (projections/integrity_sql.py); none
    from a store without the integrity view (a test's, an auditor's partial rebuild)."""
    try:
        defaults = INTEGRITY.defaults_of(tx, code)
    except ViewsNotReady:
        return {}
    return {"government_defaults": defaults} if defaults else {}


def like_pattern(q: str) -> str:
    escaped = q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(tx: Tx, q: str, page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """Subjects whose name, or a former name, contains `q` (case-insensitive), or whose code is
    `q` (a USCC in any case, a pseudonym), by name then code."""
    where = (f"(name_fold LIKE ? ESCAPE '\\' OR code IN (SELECT code FROM "
             f"{tx.t('profile_former_name')} WHERE name_fold LIKE ? ESCAPE '\\') OR code = ?)")
    code = path_code(q)
    pattern = like_pattern(q)
    total = tx.fetchone(f"SELECT count(*) FROM {tx.t('profile_subject')} WHERE {where}",
                        (pattern, pattern, code))
    rows = tx.fetchall(f"SELECT code, name, kind, masked FROM {tx.t('profile_subject')} "
                       f"WHERE {where} ORDER BY name, code LIMIT ? OFFSET ?",
                       (pattern, pattern, code, size, (page - 1) * size))
    items = [{k: v for k, v in zip(("code", "name", "kind", "masked"), r, strict=True)
              if v is not None or k != "masked"} for r in rows]
    return items, int(total[0]) if total else 0


def list_members(tx: Tx, list_name: str, domain: str | None, day: str, page: int, size: int,
                 ) -> tuple[list[dict[str, Any]], int]:
    """Listings of one list that count on `day`, optionally in one domain."""
    where = f"e.list = ? AND {member_on('e')}"
    params: list[Any] = [list_name, *[day] * 3]
    if domain:
        where += " AND e.domain = ?"
        params.append(domain)
    total = tx.fetchone(f"SELECT count(*) FROM {tx.t('list_entry')} e WHERE {where}", params)
    rows = tx.fetchall(
        f"SELECT e.code, s.name, s.kind, {', '.join('e.' + f for f in LIST_FIELDS)} "
        f"FROM {tx.t('list_entry')} e LEFT JOIN {tx.t('profile_subject')} s ON s.code = e.code "
        f"WHERE {where} ORDER BY e.listed_on, e.code, e.listing_id LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size])
    fields = ("code", "name", "kind", *LIST_FIELDS)
    return [dict(zip(fields, r, strict=True)) for r in rows], int(total[0]) if total else 0
