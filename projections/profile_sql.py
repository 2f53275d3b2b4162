"""A subject's public profile: ONE SQL statement, the same for PostgreSQL, SQLite and as-of.

The API (both backends), the civil servant's 穿透 and the as-of replay (replay.asof, an
in-memory SQLite store) all read the profile here. The statement is written once; a
`Dialect` says only how each database spells JSON (an object, an array, a boolean, a parsed
text) and its numbered placeholders. Every section is a scalar subquery in one select list,
so it needs no LATERAL (which SQLite lacks), and one statement is one snapshot by itself
(PostgreSQL reads it outside any transaction: no BEGIN and COMMIT round trips).

Calendar-dependent visibility is decided here, at read time, by the ledger's one definition
(ledger.domain.visibility): a penalty is shown from its decision until it is closed or its
publicity window lapses; a listing counts from listed_on until it is removed or expires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from psycopg import RawCursor

from ledger.domain.visibility import shown_sql
from projections.storage import POSTGRES, SQLITE, Tx, ViewsNotReady

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
PRINCIPAL_FIELDS = ("role", "principal", "name", "since")
DEFAULT_FIELDS = ("default_id", "authority", "kind", "creditor", "amount", "recorded_on",
                  "deadline", "basis", "status", "rectified_on", "evidence", "in_time")
IDENTITY = ("name", "kind", "masked", "registered_on", "authority")
TABLES = ("profile_subject", "profile_permit", "profile_penalty", "profile_commitment",
          "profile_principal", "list_entry", "profile_former_name", "profile_deregistration")
# A store without the integrity view (a test's, an auditor's partial rebuild) shows none.
OPTIONAL = ("gov_default",)
PENALTY_ORDER = "decided_on DESC, authority, decision_no"


@dataclass(frozen=True)
class Dialect:
    """How one database spells what the statement needs; everything else is shared SQL."""

    name: str
    param: str  # numbered placeholders: $1 (PostgreSQL), ?1 (SQLite)
    object: str  # json_build_object / json_object

    def nested(self, sql: str) -> str:
        """A JSON value from a subquery or a CASE, kept JSON inside an object (SQLite keeps
        the JSON subtype of a function's result only, so it parses the text again)."""
        return sql if self.name == POSTGRES else f"json({sql})"

    def flag(self, condition: str) -> str:
        """A boolean that stays null when the condition is null."""
        if self.name == POSTGRES:
            return f"({condition})"
        return f"json(CASE WHEN {condition} THEN 'true' WHEN NOT ({condition}) THEN 'false' END)"

    def parsed(self, column: str) -> str:
        """A column holding JSON text, as JSON ({} when empty)."""
        if self.name == POSTGRES:
            return f"coalesce(nullif({column}, '')::json, '{{}}'::json)"
        return f"json(coalesce(nullif({column}, ''), '{{}}'))"

    def array(self, item: str, rows: str, order: str, alias: str = "r") -> str:
        """The JSON array of `item` over the subquery `rows` (as `alias`), in `order`. SQLite
        3.40 has no ORDER BY inside an aggregate: it aggregates rows in the order `rows` has
        them, so `rows` is ordered too."""
        if self.name == POSTGRES:
            return (f"coalesce((SELECT json_agg({item} ORDER BY {order}) FROM ({rows}) "
                    f"{alias}), '[]')")
        return f"json((SELECT json_group_array({item}) FROM ({rows}) {alias}))"


DIALECTS = {POSTGRES: Dialect(POSTGRES, "$", "json_build_object"),
            SQLITE: Dialect(SQLITE, "?", "json_object")}


class Profile:
    """The statement over one set of physical tables, in one dialect."""

    def __init__(self, d: Dialect, t: Mapping[str, str]) -> None:
        self.d, self.t = d, t
        self.code, self.day = f"{d.param}1", f"{d.param}2"

    def obj(self, pairs: Iterable[tuple[str, str]]) -> str:
        return f"{self.d.object}(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"

    def value(self, field: str) -> str:
        """A column of r as the profile shows it: flags as booleans, details parsed."""
        column = f"r.{field}"
        if field in ("late", "in_time"):
            return self.d.flag(f"{column} <> 0")
        if field == "details":
            return self.d.parsed(column)
        return column

    def rows(self, table: str, fields: tuple[str, ...], code: str, order: str,
             where: str = "", limit: bool = False) -> str:
        """The JSON array of a table's rows of one subject (the first SECTION_LIMIT)."""
        cut = f" LIMIT {SECTION_LIMIT}" if limit else ""
        rows = (f"SELECT {', '.join(fields)} FROM {self.t[table]} WHERE code = {code}{where} "
                f"ORDER BY {order}{cut}")
        return self.d.array(self.obj((f, self.value(f)) for f in fields), rows, order)

    def total(self, table: str, code: str, where: str = "") -> str:
        return f"(SELECT count(*) FROM {self.t[table]} WHERE code = {code}{where})"

    def visible(self) -> str:
        return " AND " + shown_sql("decided_on", "closed_on", "publicity_max_until", self.day)

    def member(self) -> str:
        return " AND " + shown_sql("listed_on", "delisted_on", "expires_on", self.day)

    def counted(self, name: str, table: str, fields: tuple[str, ...], code: str, order: str,
                where: str = "") -> list[tuple[str, str]]:
        """A section's first rows and, as `{name}_total`, how many match."""
        return [(name, self.rows(table, fields, code, order, where, limit=True)),
                (f"{name}_total", self.total(table, code, where))]

    def led(self) -> str:
        """穿透: the organisations this subject leads, each with its dishonesty records."""
        dishonest = " AND list IN (" + ", ".join(f"'{n}'" for n in DISHONEST_LISTS) + ")"
        org = self.obj([
            *((f, f"org.{f}") for f in ("code", "name", "kind", "role", "since")),
            ("dishonest_listings", self.rows("list_entry", LIST_FIELDS, "org.code",
                                             "listed_on, listing_id",
                                             dishonest + self.member())),
            *self.counted("penalties", "profile_penalty", PENALTY_FIELDS, "org.code",
                          PENALTY_ORDER, self.visible())])
        rows = (f"SELECT p.code, p.role, p.since, s.name, s.kind FROM "
                f"{self.t['profile_principal']} p LEFT JOIN {self.t['profile_subject']} s "
                f"ON s.code = p.code WHERE p.principal = {self.code} ORDER BY p.code, p.role")
        return self.d.array(org, rows, "code, role", alias="org")

    def defaults(self) -> str:
        """A body's government defaults, latest first (dropped from the answer when none)."""
        if "gov_default" not in self.t:
            return "json('[]')" if self.d.name == SQLITE else "'[]'::json"
        order = "recorded_on DESC, default_id"
        rows = (f"SELECT default_id, authority, kind, creditor, amount, recorded_on, deadline, "
                f"basis, CASE WHEN rectified_on IS NULL THEN 'open' ELSE 'rectified' END AS "
                f"status, rectified_on, evidence, in_time FROM {self.t['gov_default']} WHERE "
                f"code = {self.code} ORDER BY {order} LIMIT {SECTION_LIMIT}")
        return self.d.array(self.obj((f, self.value(f)) for f in DEFAULT_FIELDS), rows, order)

    def statement(self) -> str:
        code, d = self.code, self.d
        gone = d.nested("CASE WHEN g.code IS NULL THEN NULL ELSE " +
                        self.obj([("on", "g.deregistered_on"), ("reason", "g.reason")]) + " END")
        body = self.obj([
            ("code", "k.code"), *((f, f"s.{f}") for f in IDENTITY),
            ("registered", d.flag("s.code IS NOT NULL")), ("as_of", "k.day"),
            ("lists", self.rows("list_entry", LIST_FIELDS, code, "listed_on, listing_id",
                                self.member())),
            *self.counted("permits", "profile_permit", PERMIT_FIELDS, code, PENALTY_ORDER),
            *self.counted("penalties", "profile_penalty", PENALTY_FIELDS, code, PENALTY_ORDER,
                          self.visible()),
            *self.counted("commitments", "profile_commitment", COMMITMENT_FIELDS, code,
                          "made_on DESC, commitment_id"),
            ("principals", self.rows("profile_principal", PRINCIPAL_FIELDS, code,
                                     "role, principal")),
            ("led_organisations", self.led()),
            ("former_names", self.rows("profile_former_name", ("name", "until"), code,
                                       "until, name")),
            ("deregistered", gone), ("government_defaults", self.defaults())])
        text = f"{body}::text" if d.name == POSTGRES else body
        return (f"SELECT {text} FROM (SELECT CAST({code} AS TEXT) AS code, "
                f"CAST({self.day} AS TEXT) AS day) k "
                f"LEFT JOIN {self.t['profile_subject']} s ON s.code = k.code "
                f"LEFT JOIN {self.t['profile_deregistration']} g ON g.code = k.code")


@lru_cache(maxsize=64)
def statement(dialect: str, names: tuple[tuple[str, str], ...]) -> str:
    """The statement over these physical tables; binds 1: the code, 2: the day."""
    return Profile(DIALECTS[dialect], dict(names)).statement()


def statement_for(tx: Tx) -> str:
    """The statement over the generation `tx` reads."""
    missing = [table for table in TABLES if table not in tx.names]
    if missing:
        raise ViewsNotReady(f"view table {missing[0]!r} is not built yet")
    names = tuple((table, tx.names[table]) for table in (*TABLES, *OPTIONAL)
                  if table in tx.names)
    return statement(tx.dialect, names)


def profile_text(tx: Tx, code: str, today: str) -> str:
    """The profile of `code` on `today` as JSON text, whether the ledger knows it or not."""
    sql = statement_for(tx)
    if tx.dialect == POSTGRES:
        # Raw: $1 and $2 as they are (psycopg parses a query longer than 4 kB for `%s` on
        # every execution), prepared from the first execution on each pooled connection.
        with RawCursor(tx.cursor.connection) as cur:
            found = cur.execute(sql, (code, today), prepare=True).fetchone()
    else:
        found = tx.cursor.execute(sql, (code, today)).fetchone()
    assert found is not None  # one row from `k`, known code or not
    return str(found[0])


def read(tx: Tx, code: str, today: str) -> dict[str, Any]:
    """Every section of `code` on `today`, empty ones too (a civil servant's 穿透 reads it
    whether or not the person is registered)."""
    return dict(orjson.loads(profile_text(tx, code, today)))


def profile(tx: Tx, code: str, today: str) -> dict[str, Any] | None:
    """The public profile of a subject on `today`, or None when the code is unknown (neither
    registered nor leading anything). `masked` and `government_defaults` appear only when the
    subject has them, so every other profile keeps its shape."""
    found = read(tx, code, today)
    if not found["registered"] and not found["led_organisations"]:
        return None
    if found["masked"] is None:
        del found["masked"]
    if not found["government_defaults"]:
        del found["government_defaults"]
    return found
