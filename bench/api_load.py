"""Public API under load: profile lookups and list pages at fixed rates, beside a bare app.

    .venv/bin/python -m bench.api_load [--quick] [--app NAME] [--rates 100,250,500,1000]

The portal's pages ride the same views: a subject's page (/subjects/{code}) and a black-list
page (/lists/black?page=N) are measured on the same server, beside the JSON they stand on.

Serves the ledger's API (uvicorn, N workers, views already built, their tables vacuumed and
analysed as autovacuum would leave them) and then a bare FastAPI app that returns the same
captured JSON from a dict, the same way. Outside load generators:
bench/loadgen (Go, open loop at fixed rates; latency from each request's scheduled time, so
queueing counts; a request that finds 4 per connection already waiting is dropped and counted
as an error) and wrk (closed loop, the most requests per second). Without --app it
imports and projects a generated city first. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from bench import dataset, tools
from bench.common import CACHE_DIR, DATABASE_URL, Result, drop_app, ledger_env, settle_app, tag
from bench.servers import PLAIN, STACK, backends_cpu, get_json, server_cpu, uvicorn

GOAL_RATE, GOAL_P99_MS = 1000, 20.0


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the size make bench uses")
    p.add_argument("--app", help="an application whose views are built (else build one)")
    p.add_argument("--subjects", type=int, default=10_000)
    p.add_argument("--rates", default="100,250,500,1000", help="profile lookups per second")
    p.add_argument("--list-rate", type=float, default=200)
    p.add_argument("--page-rate", type=float, default=100,
                   help="subject pages per second (and the profile JSON at the same rate)")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--port", type=int, default=18080)
    args = p.parse_args(argv)
    if args.quick:
        args.seconds, args.subjects = 4, 5000
    return args


def prepare(args: argparse.Namespace, app: str) -> None:
    """A generated city imported and projected (store feed) into a fresh application."""
    dataset.import_city(app, dataset.city_file(args.subjects))  # rejected rows: on stderr
    dataset.stage("project", app, kafka=False)


def url_files(base: str, codes: list[str], pages: int) -> tuple[Path, Path]:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    profiles, lists = CACHE_DIR / "urls-profiles.txt", CACHE_DIR / "urls-lists.txt"
    profiles.write_text("".join(f"{base}/v1/subjects/{c}\n" for c in codes))
    lists.write_text("".join(f"{base}/v1/lists/black?page={n}\n" for n in range(1, pages + 1)))
    return profiles, lists


def page_files(base: str, codes: list[str], pages: int) -> tuple[Path, Path]:
    """The portal's pages over the same subjects and list pages as the JSON endpoints."""
    subjects, lists = CACHE_DIR / "urls-subject-pages.txt", CACHE_DIR / "urls-list-pages.txt"
    subjects.write_text("".join(f"{base}/subjects/{c}\n" for c in codes))
    lists.write_text("".join(f"{base}/lists/black?page={n}\n" for n in range(1, pages + 1)))
    return subjects, lists


def measure_pages(base: str, codes: list[str], pages: int, args: argparse.Namespace,
                  ) -> dict[str, Any]:
    """The portal's subject and list pages: at saturation, and at fixed rates beside the
    profile JSON at the page rate."""
    subjects, lists = page_files(base, codes, pages)
    profiles, _ = url_files(base, codes, pages)
    return {"subject_page_max": tools.saturate(base, subjects, args.seconds),
            "list_page_max": tools.saturate(base, lists, args.seconds),
            "subject_page@rate": tools.fixed_rate(subjects, args.page_rate, args.seconds,
                                                  connections=args.connections),
            "profile@page_rate": tools.fixed_rate(profiles, args.page_rate, args.seconds,
                                                  connections=args.connections),
            "list_page@rate": tools.fixed_rate(lists, args.list_rate, args.seconds,
                                               connections=args.connections)}


def capture(base: str, codes: list[str]) -> tuple[Path, int]:
    """Real responses for the bare app: a few hundred profiles and every black-list page."""
    subjects = {c: json.loads(get_json(f"{base}/v1/subjects/{c}")) for c in codes[:300]}
    first = json.loads(get_json(f"{base}/v1/lists/black?page=1"))
    pages = max(1, min(50, -(-first["total"] // first["page_size"])))
    lists = {"black": [json.loads(get_json(f"{base}/v1/lists/black?page={n}"))
                       for n in range(1, pages + 1)]}
    path = CACHE_DIR / "bare-data.json"
    path.write_text(json.dumps({"subjects": subjects, "lists": lists}, ensure_ascii=False))
    return path, pages


def tagged(url: str, application_name: str) -> str:
    """The database URL with an application name, so its backends can be found."""
    return f"{url}{'&' if '?' in url else '?'}application_name={application_name}"


def costed(base: str, urls: Path, seconds: float, backends: str | None) -> dict[str, Any]:
    """wrk at saturation, with the CPU the server (and its database backends) spent per request.

    CPU time does not depend on what else runs on the machine as much as rates do.
    """
    server, db = server_cpu(base), backends_cpu(DATABASE_URL, backends) if backends else {}
    out = tools.saturate(base, urls, seconds)
    served = max(1, out.get("requests", 0))
    out["server_cpu_ms"] = 1000 * (server_cpu(base) - server) / served
    if backends:
        after = backends_cpu(DATABASE_URL, backends)
        out["db_cpu_ms"] = 1000 * sum(t - db.get(pid, 0.0) for pid, t in after.items()) / served
    return out


def measure(base: str, codes: list[str], pages: int, args: argparse.Namespace,
            backends: str | None = None) -> dict[str, Any]:
    profiles, lists = url_files(base, codes, pages)
    out: dict[str, Any] = {"profile_max": costed(base, profiles, args.seconds, backends),
                           "list_max": tools.saturate(base, lists, args.seconds)}
    for rate in rates(args):
        out[f"profile@{rate:g}"] = tools.fixed_rate(profiles, rate, args.seconds,
                                                    connections=args.connections)
    out["list@rate"] = tools.fixed_rate(lists, args.list_rate, args.seconds,
                                        connections=args.connections)
    return out


def rates(args: argparse.Namespace) -> list[float]:
    return [float(r) for r in args.rates.split(",")]


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    app, owned = args.app or f"BenchApi{tag()}", not args.app
    try:
        if owned:
            prepare(args, app)
        settle_app(app)
        codes = dataset.sample_codes(app, 2000)
        backends = f"bench-api-{args.port}"
        env = ledger_env(app, kafka=False,
                         LEDGER_VIEWS_DATABASE_URL=tagged(DATABASE_URL, backends))
        with uvicorn("bench.served:create", env, port=args.port, workers=args.workers) as base:
            bare_data, pages = capture(base, codes)
            ledger = measure(base, codes, pages, args, backends)
            ledger |= measure_pages(base, codes, pages, args)
        bare_env = os.environ | {"BENCH_BARE_DATA": str(bare_data)}
        with uvicorn("bench.bare_app:create", bare_env, port=args.port + 1,
                     workers=args.workers, probe="/docs") as base:
            bare = measure(base, codes, pages, args)
        with uvicorn("bench.bare_app:create", bare_env, port=args.port + 2,
                     workers=args.workers, probe="/docs", stack=PLAIN) as base:
            profiles, _ = url_files(base, codes, pages)
            bare["plain_max"] = tools.saturate(base, profiles, args.seconds)
    finally:
        if owned:
            drop_app(app)
    report(args, app, len(codes), pages, ledger, bare).emit()


def report(args: argparse.Namespace, app: str, codes: int, pages: int,
           ledger: dict[str, Any], bare: dict[str, Any]) -> Result:
    result = Result("api_load", "Public API under load (profile lookups, list pages)",
                    "python -m bench.api_load" + (" --quick" if args.quick else ""),
                    params={"workers": args.workers, "loadgen_connections": args.connections,
                            "seconds_per_step": args.seconds, "codes": codes,
                            "black_list_pages": pages, "app": app, "wrk": "-t1 -c16",
                            "server": "uvicorn " + " ".join(STACK)})
    for key, label in (("profile_max", "profile lookups"), ("list_max", "list pages")):
        result.add(f"{label}: most req/s (wrk)", ledger[key]["rps"], "req/s", "bare app",
                   bare[key]["rps"])
    result.add("profile lookups: API workers' CPU per request (wrk)",
               ledger["profile_max"]["server_cpu_ms"], "CPU ms", "bare app",
               bare["profile_max"]["server_cpu_ms"], better="lower")
    result.add("profile lookups: PostgreSQL backends' CPU per request (wrk)",
               ledger["profile_max"]["db_cpu_ms"], "CPU ms", better="lower")
    result.add(f"bare app over {' + '.join(PLAIN[1::2])}: most req/s (wrk)",
               bare["plain_max"]["rps"], "req/s", f"bare app over {' + '.join(STACK[1::2])}",
               bare["profile_max"]["rps"])
    for key in [f"profile@{r:g}" for r in rates(args)] + ["list@rate"]:
        label = (f"profile lookups at {ledger[key]['rate']:g}/s" if key != "list@rate"
                 else f"list pages at {ledger[key]['rate']:g}/s")
        for pct in ("p50", "p99"):
            result.add(f"{label}: {pct}", ledger[key][f"{pct}_ms"], "ms", "bare app",
                       bare[key][f"{pct}_ms"], better="lower")
        result.add(f"{label}: achieved", ledger[key]["achieved"], "req/s", "bare app",
                   bare[key]["achieved"])
        result.add(f"{label}: errors", ledger[key]["errors"], "requests", "bare app",
                   bare[key]["errors"], better="lower")
    page_figures(result, ledger)
    good = [r for r in rates(args) if ledger[f"profile@{r:g}"]["p99_ms"] < GOAL_P99_MS
            and ledger[f"profile@{r:g}"]["errors"] == 0]
    best = f"{max(good):g}/s" if good else "none of the rates tried"
    verdict = "met" if max(good, default=0) >= GOAL_RATE else "NOT met"
    result.notes.append(f"Goal {GOAL_RATE:,} profile lookups/s with p99 < {GOAL_P99_MS:g} ms "
                        f"and zero errors: {verdict} in this run. Highest fixed rate with "
                        f"p99 < {GOAL_P99_MS:g} ms and no errors: {best}.")
    result.series = {"ledger": ledger, "bare": bare}
    return result


def page_figures(result: Result, ledger: dict[str, Any]) -> None:
    """The portal's pages beside the JSON endpoints they stand on, on the same server."""
    result.add("subject pages (HTML): most req/s (wrk)", ledger["subject_page_max"]["rps"],
               "req/s", "profile JSON, same server", ledger["profile_max"]["rps"])
    result.add("black-list pages (HTML): most req/s (wrk)", ledger["list_page_max"]["rps"],
               "req/s", "list JSON, same server", ledger["list_max"]["rps"])
    for key, json_key, label in (
            ("subject_page@rate", "profile@page_rate", "subject pages"),
            ("list_page@rate", "list@rate", "black-list pages")):
        rate = ledger[key]["rate"]
        for pct in ("p50", "p99"):
            result.add(f"{label} (HTML) at {rate:g}/s: {pct}", ledger[key][f"{pct}_ms"], "ms",
                       "the JSON at the same rate", ledger[json_key][f"{pct}_ms"],
                       better="lower")
        result.add(f"{label} (HTML) at {rate:g}/s: errors", ledger[key]["errors"], "requests",
                   "the JSON at the same rate", ledger[json_key]["errors"], better="lower")


if __name__ == "__main__":
    main()
