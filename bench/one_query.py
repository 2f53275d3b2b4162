"""The profile's one SQL statement read outside any transaction (what the API serves on
PostgreSQL) against the same statement in a read transaction.

    .venv/bin/python -m bench.one_query --app NAME [--quick] [--seconds 5]

The public profile used to be about ten round trips to PostgreSQL (a statement per section,
in a transaction); it is now one statement on every backend (projections/profile_sql.py),
and one statement is one snapshot by itself, so the API reads it without BEGIN and COMMIT.
This serves the real API plus the same read in a read transaction (the view store's
reader(), in the thread pool), checks that both give the same JSON for a sample of subjects,
and measures both with wrk, one after the other, in the same server.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson
from fastapi import FastAPI, HTTPException, Response

from bench.common import CACHE_DIR


def create() -> FastAPI:
    from api.routers.public import profile_in
    from bench.served import create as real
    from projections.storage import view_store

    app = real()
    runtime = app.state.runtime

    @app.get("/x/subjects/{code}")
    def in_a_transaction(code: str) -> Response:
        with view_store(runtime).reader() as tx:
            found = profile_in(runtime, tx, code, runtime.ledger.clock().isoformat())
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
    one, before = best["/v1/subjects"], best["/x/subjects"]
    result = Result("one_query", "Experiment: the profile's one statement, no transaction",
                    "python -m bench.one_query --app APP" + (" --quick" if args.quick else ""),
                    params={"app": args.app, "workers": args.workers, "wrk": "-t1 -c8",
                            "same_json_of_200": same, "runs_each": 2})
    result.add("profile lookups, one statement: most req/s", one["rps"], "req/s",
               "in a read transaction", before["rps"])
    for pct in ("p50", "p99"):
        result.add(f"profile lookups, one statement: {pct} (wrk)", one[f"{pct}_ms"], "ms",
                   "in a read transaction", before[f"{pct}_ms"], better="lower")
    result.notes.append(f"Both give the same JSON for {same} of 200 sampled subjects. Best of "
                        "two wrk runs each, alternated, in the same server.")
    result.emit()


if __name__ == "__main__":
    main(sys.argv[1:])
