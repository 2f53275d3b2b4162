"""A body's government defaults in the public profile's one PostgreSQL statement
(projections/profile_sql.py): the same rows, order and keys as IntegrityView.defaults_of,
which SQLite and the as-of replay read. The section is in a profile only when it has rows,
as `masked` only when there is one, so every other profile is what it was."""

from __future__ import annotations

from projections.views.integrity import SECTION_LIMIT

ORDER = "recorded_on DESC, default_id"
COLUMNS = {
    "default_id": "x.default_id", "authority": "x.authority", "kind": "x.kind",
    "creditor": "x.creditor", "amount": "x.amount", "recorded_on": "x.recorded_on",
    "deadline": "x.deadline", "basis": "x.basis",
    "status": "CASE WHEN x.rectified_on IS NULL THEN 'open' ELSE 'rectified' END",
    "rectified_on": "x.rectified_on", "evidence": "x.evidence",
    "in_time": "CASE WHEN x.in_time IS NULL THEN NULL ELSE x.in_time <> 0 END",
}


def defaults_section(table: str) -> str:
    """A lateral subquery: the first rows as JSON `items`, and how many there are as `n`."""
    obj = "json_build_object(" + ", ".join(f"'{k}', {v}" for k, v in COLUMNS.items()) + ")"
    return (f"(SELECT coalesce(json_agg({obj} ORDER BY x.r) FILTER (WHERE x.r <= "
            f"{SECTION_LIMIT}), '[]') AS items, count(*) AS n FROM (SELECT y.*, row_number() "
            f"OVER (ORDER BY {ORDER}) AS r FROM {table} y WHERE y.code = k.code) x)")


def with_defaults(body: str, section: str) -> str:
    """The profile's JSON text `body`, with `government_defaults` appended when it has rows
    (json_build_object writes `"key" : value`; the key goes last, as queries.profile adds it)."""
    return (f"CASE WHEN {section}.n = 0 THEN {body} ELSE left({body}, -1) || "
            f"', \"government_defaults\" : ' || {section}.items::text || '}}' END")
