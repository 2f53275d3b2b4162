"""Reads of the profile and list views for search and list pages, as plain dicts.

The profile itself is one statement (projections/profile_sql.py). A listing counts on a day
by the ledger's one definition (ledger.domain.visibility): from listed_on until it is removed
or its expires_on comes.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.visibility import shown_sql
from ledger.identity import path_code
from projections.profile_sql import LIST_FIELDS
from projections.storage import Tx


def member_on(alias: str = "") -> str:
    """SQL condition: the listing counts on the day bound three times as `?`."""
    a = f"{alias}." if alias else ""
    return shown_sql(f"{a}listed_on", f"{a}delisted_on", f"{a}expires_on")


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
