"""Reads the portal adds over the profile, list and timeliness views: names by code, double
publicity by authority and date, late records, the latest list changes, counts by day.

Same visibility as the profile (ledger.domain.visibility): a penalty appears only while it
is shown on the day asked; permits appear whatever their status, with it.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.visibility import shown_sql
from projections.queries import member_on
from projections.storage import Tx

# A penalty shown on the day bound three times as `?` (as in projections.profile_sql).
SHOWN = shown_sql("r.decided_on", "r.closed_on", "r.publicity_max_until")

PUBLICITY_FIELDS = ("kind", "code", "name", "authority", "decision_no", "category", "severity",
                    "domain", "decided_on", "published_on", "late", "status")


def names_of(tx: Tx, codes: list[str]) -> dict[str, str]:
    """Registered names of these subject codes (those the views know)."""
    if not codes:
        return {}
    rows = tx.fetchall(f"SELECT code, name FROM {tx.t('profile_subject')} WHERE code IN "
                       f"({', '.join('?' * len(codes))})", codes)
    return {code: name for code, name in rows}


def _publicity_union(tx: Tx, where: str) -> str:
    s = tx.t("profile_subject")
    return (
        f"SELECT 'permit' AS kind, r.code, s.name, r.authority, r.decision_no, r.category, "
        f"NULL AS severity, NULL AS domain, r.decided_on, r.published_on, r.late, r.status "
        f"FROM {tx.t('profile_permit')} r LEFT JOIN {s} s ON s.code = r.code WHERE {where} "
        f"UNION ALL SELECT 'penalty' AS kind, r.code, s.name, r.authority, r.decision_no, "
        f"r.category, r.severity, r.domain, r.decided_on, r.published_on, r.late, r.status "
        f"FROM {tx.t('profile_penalty')} r LEFT JOIN {s} s ON s.code = r.code WHERE {where} "
        f"AND {SHOWN}")


def publicity(tx: Tx, today: str, *, authority: str | None, kind: str | None,
              since: str | None, until: str | None, page: int, size: int | None,
              late_only: bool = False) -> tuple[list[dict[str, Any]], int]:
    """Permits and penalties decided in [since, until], by one authority or all, newest first;
    `size` None: every row (the CSV)."""
    where, params = ["1 = 1"], []
    if authority:
        where.append("r.authority = ?")
        params.append(authority)
    if since:
        where.append("r.decided_on >= ?")
        params.append(since)
    if until:
        where.append("r.decided_on <= ?")
        params.append(until)
    if late_only:
        where.append("r.late <> 0")
    condition = " AND ".join(where)
    union = _publicity_union(tx, condition)
    both = [*params, *params, today, today, today]
    if kind in ("permit", "penalty"):
        union = f"SELECT * FROM ({union}) u WHERE u.kind = '{kind}'"
    total = tx.fetchone(f"SELECT count(*) FROM ({union}) c", both)
    limit = "" if size is None else f" LIMIT {int(size)} OFFSET {(page - 1) * int(size)}"
    rows = tx.fetchall(f"SELECT * FROM ({union}) u ORDER BY u.decided_on DESC, u.authority, "
                       f"u.decision_no{limit}", both)
    items = [dict(zip(PUBLICITY_FIELDS, r, strict=True)) for r in rows]
    for item in items:
        item["late"] = bool(item["late"])
    return items, int(total[0]) if total else 0


def decided_counts(tx: Tx, since: str, until: str) -> dict[str, int]:
    """Permits and penalties decided from `since` to `until`, by kind (the timeliness view)."""
    rows = tx.fetchall(f"SELECT kind, SUM(recorded) FROM {tx.t('timeliness_day')} "
                       "WHERE day >= ? AND day <= ? GROUP BY kind", (since, until))
    counts = {"permit": 0, "penalty": 0}
    counts.update({kind: int(n or 0) for kind, n in rows})
    return counts


CHANGE_FIELDS = ("change", "on", "listing_id", "code", "name", "list", "domain", "authority",
                 "reason")


def list_changes(tx: Tx, today: str, limit: int = 10) -> list[dict[str, Any]]:
    """The latest listings, removals and expiries on or before today, newest first."""
    e, s = tx.t("list_entry"), tx.t("profile_subject")
    common = "e.listing_id, e.code, s.name, e.list, e.domain, e.authority"
    join = f"FROM {e} e LEFT JOIN {s} s ON s.code = e.code"
    sql = (f"SELECT * FROM (SELECT 'listed' AS change, e.listed_on AS on_day, {common}, "
           f"NULL AS reason {join} WHERE e.listed_on <= ? "
           f"UNION ALL SELECT 'removed', e.delisted_on, {common}, e.delist_reason {join} "
           f"WHERE e.delisted_on <= ? "
           f"UNION ALL SELECT 'expired', e.expires_on, {common}, 'expired' {join} "
           f"WHERE e.expires_on <= ? AND (e.delisted_on IS NULL OR e.delisted_on > e.expires_on)"
           f") c ORDER BY c.on_day DESC, c.listing_id LIMIT {int(limit)}")
    rows = tx.fetchall(sql, (today, today, today))
    return [dict(zip(CHANGE_FIELDS, r, strict=True)) for r in rows]


def list_size(tx: Tx, list_name: str, today: str) -> int:
    row = tx.fetchone(f"SELECT count(*) FROM {tx.t('list_entry')} WHERE list = ? AND "
                      f"{member_on()}", (list_name, today, today, today))
    return int(row[0]) if row else 0
