"""A subject's public profile: ONE SQL statement, the same for PostgreSQL, SQLite and as-of.

The API (both backends), the civil servant's 穿透 and the as-of replay (replay.asof, an
in-memory SQLite store) all read the profile here. The statement is written once; a
`Dialect` says only how each database spells JSON (an object, an array, a boolean, a parsed
text) and its numbered placeholders. Every section is a scalar subquery in one select list,
or, when it has a total (permits, penalties, commitments), one aggregate row of its items and
its total joined to it, uncorrelated: so it needs no LATERAL (which SQLite lacks). The total
comes from the same scan as the items unless LIMIT cut them (then they are counted as well;
ADR 035). One statement is one snapshot by itself (PostgreSQL reads it outside any
transaction: no BEGIN and COMMIT round trips). A caller needing only some sections names
them (`sections`): the same statement without the others (the civil servant's 穿透).

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
# Every section, in the profile's order; each counted one adds `{name}_total` after it.
SECTIONS = ("lists", "permits", "penalties", "commitments", "principals", "led_organisations",
            "former_names", "deregistered", "government_defaults")


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

    def aggregate(self, item: str, order: str) -> str:
        """The JSON array of `item` over the rows aggregated, in `order` (SQLite: in the order
        the rows come, as in `array`)."""
        if self.name == POSTGRES:
            return f"coalesce(json_agg({item} ORDER BY {order}), '[]')"
        return f"json_group_array({item})"


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
             where: str = "") -> str:
        """The JSON array of all a table's rows of one subject."""
        rows = (f"SELECT {', '.join(fields)} FROM {self.t[table]} WHERE code = {code}{where} "
                f"ORDER BY {order}")
        return self.d.array(self.obj((f, self.value(f)) for f in fields), rows, order)

    def cut(self, table: str, fields: tuple[str, ...], code: str, order: str,
            where: str = "") -> tuple[str, str, str]:
        """A section's first SECTION_LIMIT rows and how many match, as the aggregates `items`
        and `total` over `FROM (rows) r`. The rows read for the items count them too while
        fewer than SECTION_LIMIT match (almost every subject): one scan. Only a section LIMIT
        cut is counted again, by a subquery evaluated in that branch alone (ADR 035)."""
        match = f"FROM {self.t[table]} WHERE code = {code}{where}"
        rows = f"SELECT {', '.join(fields)} {match} ORDER BY {order} LIMIT {SECTION_LIMIT}"
        total = (f"CASE WHEN count(*) < {SECTION_LIMIT} THEN count(*) "
                 f"ELSE (SELECT count(*) {match}) END")
        return self.d.aggregate(self.obj((f, self.value(f)) for f in fields), order), total, rows

    def scan(self, table: str, fields: tuple[str, ...], code: str, order: str,
             where: str = "") -> str:
        """ONE row of a section's `items` and `total` (see `cut`)."""
        items, total, rows = self.cut(table, fields, code, order, where)
        return f"SELECT {items} AS items, {total} AS total FROM ({rows}) r"

    def visible(self) -> str:
        return " AND " + shown_sql("decided_on", "closed_on", "publicity_max_until", self.day)

    def member(self) -> str:
        return " AND " + shown_sql("listed_on", "delisted_on", "expires_on", self.day)

    def counted(self, name: str) -> list[tuple[str, str]]:
        """A scanned section (the derived table `x_{name}`) as `name` and `{name}_total`."""
        return [(name, self.d.nested(f"x_{name}.items")), (f"{name}_total", f"x_{name}.total")]

    def led(self) -> str:
        """穿透: the organisations this subject leads, each with its dishonesty records."""
        dishonest = " AND list IN (" + ", ".join(f"'{n}'" for n in DISHONEST_LISTS) + ")"
        # An organisation's object is the aggregate over its penalties' rows (one scan).
        items, total, penalties = self.cut("profile_penalty", PENALTY_FIELDS, "org.code",
                                           PENALTY_ORDER, self.visible())
        org = self.d.nested("(SELECT " + self.obj([
            *((f, f"org.{f}") for f in ("code", "name", "kind", "role", "since")),
            ("dishonest_listings", self.rows("list_entry", LIST_FIELDS, "org.code",
                                             "listed_on, listing_id",
                                             dishonest + self.member())),
            ("penalties", items), ("penalties_total", total)]) + f" FROM ({penalties}) r)")
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

    def scanned(self) -> dict[str, str]:
        """The counted sections' one-row scans, each joined to the statement as `x_{name}`."""
        code = self.code
        return {"permits": self.scan("profile_permit", PERMIT_FIELDS, code, PENALTY_ORDER),
                "penalties": self.scan("profile_penalty", PENALTY_FIELDS, code, PENALTY_ORDER,
                                       self.visible()),
                "commitments": self.scan("profile_commitment", COMMITMENT_FIELDS, code,
                                         "made_on DESC, commitment_id")}

    def section(self, name: str) -> list[tuple[str, str]]:
        """The key(s) and value(s) one section adds to the profile's object."""
        code, d = self.code, self.d
        if name == "lists":
            return [(name, self.rows("list_entry", LIST_FIELDS, code, "listed_on, listing_id",
                                     self.member()))]
        if name == "principals":
            return [(name, self.rows("profile_principal", PRINCIPAL_FIELDS, code,
                                     "role, principal"))]
        if name == "led_organisations":
            return [(name, self.led())]
        if name == "former_names":
            return [(name, self.rows("profile_former_name", ("name", "until"), code,
                                     "until, name"))]
        if name == "deregistered":
            return [(name, d.nested("CASE WHEN g.code IS NULL THEN NULL ELSE " + self.obj(
                [("on", "g.deregistered_on"), ("reason", "g.reason")]) + " END"))]
        if name == "government_defaults":
            return [(name, self.defaults())]
        return self.counted(name)

    def statement(self, sections: tuple[str, ...] = SECTIONS) -> str:
        code, d = self.code, self.d
        body = self.obj([
            ("code", "k.code"), *((f, f"s.{f}") for f in IDENTITY),
            ("registered", d.flag("s.code IS NOT NULL")), ("as_of", "k.day"),
            *(pair for name in sections for pair in self.section(name))])
        text = f"{body}::text" if d.name == POSTGRES else body
        # The scans are uncorrelated (the code is a parameter): one row each, read once.
        scans = "".join(f" CROSS JOIN ({sql}) x_{name}" for name, sql in self.scanned().items()
                        if name in sections)
        gone = (f" LEFT JOIN {self.t['profile_deregistration']} g ON g.code = k.code"
                if "deregistered" in sections else "")
        return (f"SELECT {text} FROM (SELECT CAST({code} AS TEXT) AS code, "
                f"CAST({self.day} AS TEXT) AS day) k "
                f"LEFT JOIN {self.t['profile_subject']} s ON s.code = k.code{gone}{scans}")


@lru_cache(maxsize=64)
def statement(dialect: str, names: tuple[tuple[str, str], ...],
              sections: tuple[str, ...] = SECTIONS) -> str:
    """The statement over these physical tables; binds 1: the code, 2: the day."""
    return Profile(DIALECTS[dialect], dict(names)).statement(sections)


def statement_for(tx: Tx, sections: tuple[str, ...] = SECTIONS) -> str:
    """The statement over the generation `tx` reads, with these sections (in the profile's
    order whatever order they are given in)."""
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ValueError(f"no profile section {unknown[0]!r}; the sections: {SECTIONS}")
    missing = [table for table in TABLES if table not in tx.names]
    if missing:
        raise ViewsNotReady(f"view table {missing[0]!r} is not built yet")
    names = tuple((table, tx.names[table]) for table in (*TABLES, *OPTIONAL)
                  if table in tx.names)
    return statement(tx.dialect, names, tuple(s for s in SECTIONS if s in sections))


def profile_text(tx: Tx, code: str, today: str, sections: tuple[str, ...] = SECTIONS) -> str:
    """The profile of `code` on `today` as JSON text, whether the ledger knows it or not."""
    sql = statement_for(tx, sections)
    if tx.dialect == POSTGRES:
        # Raw: $1 and $2 as they are (psycopg parses a query longer than 4 kB for `%s` on
        # every execution), prepared from the first execution on each pooled connection.
        with RawCursor(tx.cursor.connection) as cur:
            found = cur.execute(sql, (code, today), prepare=True).fetchone()
    else:
        found = tx.cursor.execute(sql, (code, today)).fetchone()
    assert found is not None  # one row from `k`, known code or not
    return str(found[0])


def read(tx: Tx, code: str, today: str, sections: tuple[str, ...] = SECTIONS) -> dict[str, Any]:
    """The identity and the named sections of `code` on `today`, empty ones too (a civil
    servant's 穿透 reads its two whether or not the person is registered)."""
    return dict(orjson.loads(profile_text(tx, code, today, sections)))


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
