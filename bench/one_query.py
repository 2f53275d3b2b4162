"""Experiment: a subject's public profile in one SQL statement instead of about ten.

    .venv/bin/python -m bench.one_query --app NAME [--quick] [--seconds 5]

The public profile (projections/queries.py) is about ten round trips to PostgreSQL: the
transaction's BEGIN and COMMIT, one statement per section (identity, lists, permits,
penalties, commitments, principals, organisations led) and two more per organisation led.
This serves the real API plus the same profile built by one statement (json_build_object
over the same tables, same filters, same order), checks that both give the same JSON for a
sample of subjects, and measures both with wrk, one after the other, in the same server.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import orjson
from fastapi import FastAPI, HTTPException, Response

from bench.common import CACHE_DIR
from projections.queries import (
    COMMITMENT_FIELDS,
    LIST_FIELDS,
    PENALTY_FIELDS,
    PERMIT_FIELDS,
    SECTION_LIMIT,
)

MEMBER = ("{a}listed_on <= %(d)s AND ({a}delisted_on IS NULL OR {a}delisted_on > %(d)s) "
          "AND ({a}expires_on IS NULL OR {a}expires_on > %(d)s)")
VISIBLE = ("{a}status = 'public' AND {a}publicity_max_until > %(d)s AND {a}decided_on <= %(d)s")


def agg(fields: tuple[str, ...], table: str, where: str, order: str, limit: str = "") -> str:
    cols = ", ".join(fields)
    return (f"(SELECT coalesce(json_agg(x), '[]') FROM (SELECT {cols} FROM {table} "
            f"WHERE {where} ORDER BY {order} {limit}) x)")


def statement(t: dict[str, str]) -> str:
    """One statement for the whole profile of %(c)s on day %(d)s."""
    limit = f"LIMIT {SECTION_LIMIT}"
    pen_order = "decided_on DESC, authority, decision_no"
    led = ("(SELECT coalesce(json_agg(json_build_object('code', p.code, 'name', s.name, "
           "'kind', s.kind, 'role', p.role, 'since', p.since, 'dishonest_listings', "
           + agg(LIST_FIELDS, t["list_entry"], "code = p.code AND list IN ('black', "
                 "'key_attention') AND " + MEMBER.format(a=""), "listed_on, listing_id")
           + ", 'penalties', " + agg(PENALTY_FIELDS, t["profile_penalty"], "code = p.code AND "
                                     + VISIBLE.format(a=""), pen_order, limit)
           + f", 'penalties_total', (SELECT count(*) FROM {t['profile_penalty']} WHERE "
           f"code = p.code AND {VISIBLE.format(a='')})) ORDER BY p.code, p.role), '[]') "
           f"FROM {t['profile_principal']} p LEFT JOIN {t['profile_subject']} s ON "
           "s.code = p.code WHERE p.principal = %(c)s)")
    parts = {
        "subject": f"(SELECT row_to_json(x) FROM (SELECT code, name, kind, masked, "
                   f"registered_on, authority FROM {t['profile_subject']} WHERE code = %(c)s) x)",
        "lists": agg(LIST_FIELDS, t["list_entry"], "code = %(c)s AND " + MEMBER.format(a=""),
                     "listed_on, listing_id"),
        "permits": agg(PERMIT_FIELDS, t["profile_permit"], "code = %(c)s", pen_order, limit),
        "permits_total": f"(SELECT count(*) FROM {t['profile_permit']} WHERE code = %(c)s)",
        "penalties": agg(PENALTY_FIELDS, t["profile_penalty"], "code = %(c)s AND "
                         + VISIBLE.format(a=""), pen_order, limit),
        "penalties_total": f"(SELECT count(*) FROM {t['profile_penalty']} WHERE code = %(c)s "
                           f"AND {VISIBLE.format(a='')})",
        "commitments": agg(COMMITMENT_FIELDS, t["profile_commitment"], "code = %(c)s",
                           "made_on DESC, commitment_id", limit),
        "commitments_total": f"(SELECT count(*) FROM {t['profile_commitment']} "
                             "WHERE code = %(c)s)",
        "principals": agg(("role", "principal", "name", "since"), t["profile_principal"],
                          "code = %(c)s", "role, principal"),
        "led_organisations": led,
    }
    return ("SELECT json_build_object("
            + ", ".join(f"'{k}', {v}" for k, v in parts.items()) + ")::text")


def shape(doc: dict[str, Any], code: str, today: str) -> dict[str, Any] | None:
    """The JSON of projections.queries.profile from the statement's result."""
    subject = doc.pop("subject")
    if subject is None and not doc["led_organisations"]:
        return None
    identity = subject or {"code": code, "name": None, "kind": None, "masked": None,
                           "registered_on": None, "authority": None}
    if identity["masked"] is None:
        identity.pop("masked")
    for key in ("permits", "penalties"):
        fix(doc[key])
    for org in doc["led_organisations"]:
        fix(org["penalties"])
    return identity | {"registered": subject is not None, "as_of": today} | doc


def fix(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row["late"] = bool(row["late"])
        row["details"] = orjson.loads(row["details"]) if row["details"] else {}


def create() -> FastAPI:
    from bench.served import create as real
    from projections.storage import view_store

    app = real()
    runtime = app.state.runtime
    cache: dict[str, Any] = {"at": 0.0}

    def sql() -> str:
        # The serving generation changes only on a rebuild's swap: look it up once a second.
        if time.monotonic() - cache["at"] > 1.0:
            with view_store(runtime).reader() as tx:
                cache["sql"] = statement({k: tx.t(k) for k in (
                    "profile_subject", "profile_permit", "profile_penalty",
                    "profile_commitment", "profile_principal", "list_entry")})
            cache["at"] = time.monotonic()
        return str(cache["sql"])

    @app.get("/x/subjects/{code}")
    def one_statement(code: str) -> Response:
        today = runtime.ledger.clock().isoformat()
        with view_store(runtime)._readers().connection() as conn:
            row = conn.execute(sql(), {"c": code, "d": today}).fetchone()
        found = shape(orjson.loads(row[0]), code, today)
        if found is None:
            raise HTTPException(404, "no such subject")
        return Response(orjson.dumps(found), media_type="application/json")

    return app


def main(argv: list[str]) -> None:
    from bench import dataset, tools
    from bench.common import Result, ledger_env
    from bench.servers import get_json, uvicorn

    p = argparse.ArgumentParser()
    p.add_argument("--app", required=True, help="an application whose views are built")
    p.add_argument("--quick", action="store_true", help="the size make bench uses")
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    if args.quick:
        args.seconds = 4
    codes = dataset.sample_codes(args.app, 2000)
    runs: dict[str, list[dict[str, Any]]] = {"/v1/subjects": [], "/x/subjects": []}
    with uvicorn("bench.one_query:create", ledger_env(args.app, kafka=False), port=18200,
                 workers=args.workers) as base:
        same = sum(orjson.loads(get_json(f"{base}/v1/subjects/{c}"))
                   == orjson.loads(get_json(f"{base}/x/subjects/{c}")) for c in codes[:200])
        for prefix in [*runs, *runs]:  # alternate, twice each
            urls = CACHE_DIR / "urls-one-query.txt"
            urls.write_text("".join(f"{base}{prefix}/{c}\n" for c in codes))
            runs[prefix].append(tools.saturate(base, urls, args.seconds, connections=8))
    best = {k: max(v, key=lambda r: r.get("rps", 0)) for k, v in runs.items()}
    now, one = best["/v1/subjects"], best["/x/subjects"]
    result = Result("one_query", "Experiment: the profile in one SQL statement",
                    "python -m bench.one_query --app APP" + (" --quick" if args.quick else ""),
                    params={"app": args.app, "workers": args.workers, "wrk": "-t1 -c8",
                            "same_json_of_200": same, "runs_each": 2})
    result.add("profile lookups, one statement: most req/s", one["rps"], "req/s",
               "today's profile query", now["rps"])
    for pct in ("p50", "p99"):
        result.add(f"profile lookups, one statement: {pct} (wrk)", one[f"{pct}_ms"], "ms",
                   "today's profile query", now[f"{pct}_ms"], better="lower")
    result.notes.append(f"Both give the same JSON for {same} of 200 sampled subjects. Best of "
                        "two wrk runs each, alternated, in the same server.")
    result.emit()


if __name__ == "__main__":
    main(sys.argv[1:])
