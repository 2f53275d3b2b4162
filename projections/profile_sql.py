"""The public profile on PostgreSQL in ONE statement, answered by the server as JSON text.

Same tables, filters, order, limits and keys as queries.profile (which SQLite and the as-of
replay use), so both give the same JSON. One statement is one snapshot by itself: it needs no
transaction (no BEGIN and COMMIT round trips), and psycopg prepares it after a few executions
on each pooled connection. The text goes to the client as it is, never parsed in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from psycopg import RawCursor

from ledger.domain.visibility import shown_sql
from projections.integrity_sql import defaults_section, with_defaults
from projections.queries import (
    COMMITMENT_FIELDS,
    DISHONEST_LISTS,
    LIST_FIELDS,
    PENALTY_FIELDS,
    PERMIT_FIELDS,
    SECTION_LIMIT,
)
from projections.storage import Tx, ViewsNotReady

TABLES = ("profile_subject", "profile_permit", "profile_penalty", "profile_commitment",
          "profile_principal", "list_entry", "profile_former_name", "profile_deregistration",
          "gov_default")
IDENTITY = ("code", "name", "kind", "masked", "registered_on", "authority")
PRINCIPAL_FIELDS = ("role", "principal", "name", "since")
# The ledger's one definition of what is shown on a day (ledger.domain.visibility).
MEMBER = shown_sql("{a}.listed_on", "{a}.delisted_on", "{a}.expires_on", "k.day")
VISIBLE = shown_sql("{a}.decided_on", "{a}.closed_on", "{a}.publicity_max_until", "k.day")
PENALTY_ORDER = "decided_on DESC, authority, decision_no"


def value(alias: str, field: str) -> str:
    """A column as queries._rows shows it: `late` a boolean, `details` parsed ({} if empty)."""
    column = f"{alias}.{field}"
    if field == "late":
        return f"{column} <> 0"
    if field == "details":
        return f"coalesce(nullif({column}, '')::json, '{{}}'::json)"
    return column


def obj(pairs: Iterable[tuple[str, str]]) -> str:
    return "json_build_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"


def row(alias: str, fields: tuple[str, ...]) -> str:
    return obj((f, value(alias, f)) for f in fields)


def listed(table: str, code: str, order: str, fields: tuple[str, ...], where: str = "") -> str:
    """Every matching row, as a JSON array `items` (lists and principals have no limit)."""
    return (f"(SELECT coalesce(json_agg({row('x', fields)} ORDER BY {order}), '[]') AS items "
            f"FROM {table} x WHERE x.code = {code}{where})")


def counted(table: str, code: str, order: str, fields: tuple[str, ...], where: str = "") -> str:
    """The first SECTION_LIMIT rows as `items` and how many match as `total`, in one scan."""
    return (f"(SELECT coalesce(json_agg({row('x', fields)} ORDER BY x.n) FILTER "
            f"(WHERE x.n <= {SECTION_LIMIT}), '[]') AS items, count(*) AS total FROM "
            f"(SELECT {', '.join(fields)}, row_number() OVER (ORDER BY {order}) AS n "
            f"FROM {table} y WHERE y.code = {code}{where.format(a='y')}) x)")


def led(t: dict[str, str]) -> str:
    """穿透: the organisations this subject leads, each with its dishonesty records today."""
    dishonest = " AND x.list IN (" + ", ".join(f"'{n}'" for n in DISHONEST_LISTS) + ") AND "
    org = obj([("code", "p.code"), ("name", "o.name"), ("kind", "o.kind"), ("role", "p.role"),
               ("since", "p.since"), ("dishonest_listings", "dl.items"),
               ("penalties", "op.items"), ("penalties_total", "op.total")])
    listings = listed(t["list_entry"], "p.code", "x.listed_on, x.listing_id", LIST_FIELDS,
                      dishonest + MEMBER.format(a="x"))
    penalties = counted(t["profile_penalty"], "p.code", PENALTY_ORDER, PENALTY_FIELDS,
                        " AND " + VISIBLE)
    return (f"(SELECT coalesce(json_agg({org} ORDER BY p.code, p.role), '[]') AS items, "
            f"count(*) AS n FROM {t['profile_principal']} p "
            f"LEFT JOIN {t['profile_subject']} o ON o.code = p.code "
            f"CROSS JOIN LATERAL {listings} dl CROSS JOIN LATERAL {penalties} op "
            "WHERE p.principal = k.code)")


@lru_cache(maxsize=64)
def statement(names: tuple[str, ...]) -> str:
    """The statement over these physical tables (in TABLES order); binds $1 code, $2 day."""
    t = dict(zip(TABLES, names, strict=True))
    sections = {
        "lists": listed(t["list_entry"], "k.code", "x.listed_on, x.listing_id", LIST_FIELDS,
                        " AND " + MEMBER.format(a="x")),
        "permits": counted(t["profile_permit"], "k.code", PENALTY_ORDER, PERMIT_FIELDS),
        "penalties": counted(t["profile_penalty"], "k.code", PENALTY_ORDER, PENALTY_FIELDS,
                             " AND " + VISIBLE),
        "commitments": counted(t["profile_commitment"], "k.code", "made_on DESC, commitment_id",
                               COMMITMENT_FIELDS),
        "principals": listed(t["profile_principal"], "k.code", "x.role, x.principal",
                             PRINCIPAL_FIELDS),
        "led": led(t),
        "former": listed(t["profile_former_name"], "k.code", "x.until, x.name",
                         ("name", "until")),
        "gd": defaults_section(t["gov_default"]),  # a body's government defaults
    }
    tail = [("registered", "s.code IS NOT NULL"), ("as_of", "k.day"), ("lists", "lists.items"),
            ("permits", "permits.items"), ("permits_total", "permits.total"),
            ("penalties", "penalties.items"), ("penalties_total", "penalties.total"),
            ("commitments", "commitments.items"), ("commitments_total", "commitments.total"),
            ("principals", "principals.items"), ("led_organisations", "led.items"),
            ("former_names", "former.items"),
            ("deregistered", "CASE WHEN g.code IS NULL THEN NULL ELSE json_build_object("
                             "'on', g.deregistered_on, 'reason', g.reason) END")]
    identity = [("code", "k.code"), *((f, f"s.{f}") for f in IDENTITY[1:])]
    # queries.profile leaves `masked` out when it is null: two objects, the same otherwise.
    unmasked = obj([p for p in identity if p[0] != "masked"] + tail)
    body = (f"(CASE WHEN s.masked IS NULL THEN {unmasked} ELSE {obj(identity + tail)} "
            "END)::text")
    # Kind and registering authority beside the text: what places the subject in a region.
    return (f"SELECT {with_defaults('b.body', 'gd')}, s.kind, s.authority FROM (SELECT "
            f"$1::text AS code, $2::text AS day) k "
            f"LEFT JOIN {t['profile_subject']} s ON s.code = k.code "
            f"LEFT JOIN {t['profile_deregistration']} g ON g.code = k.code "
            + " ".join(f"CROSS JOIN LATERAL {sql} {name}" for name, sql in sections.items())
            + f" CROSS JOIN LATERAL (SELECT {body} AS body) b"
            + " WHERE s.code IS NOT NULL OR led.n > 0")


def statement_for(names: Mapping[str, str]) -> str:
    """The statement over the serving generation named in `names`."""
    try:
        return statement(tuple(names[table] for table in TABLES))
    except KeyError as e:
        raise ViewsNotReady(f"view table {e.args[0]!r} is not built yet") from None


# Raw cursors take $1 and $2 as they are: psycopg parses a query longer than 4 kB for `%s`
# placeholders on every execution (its cache skips long queries), this one included. Prepared
# from the first execution on each connection, since parsing and planning it is most of the
# cost of an unprepared one.
def profile_row(tx: Tx, code: str, today: str) -> tuple[str, str | None, str | None] | None:
    """The public profile of `code` on `today` as JSON text, with the subject's kind and
    registering authority (None when not registered), or None when the code is unknown."""
    with RawCursor(tx.cursor.connection) as cur:
        found = cur.execute(statement_for(tx.names), (code, today), prepare=True).fetchone()
    return None if found is None else (str(found[0]), found[1], found[2])


def profile_json(tx: Tx, code: str, today: str) -> str | None:
    """The public profile of `code` on `today` as JSON text, or None when the code is unknown."""
    found = profile_row(tx, code, today)
    return None if found is None else found[0]

