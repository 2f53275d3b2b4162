"""County monitoring: the demo city's scorecard per county and its ranking, and the cost of
GET /v1/regions beside GET /v1/indicators on the 4x scaling city.

    .venv/bin/python -m bench.regions [--quick] [--subjects 20000] [--repeat 5]

The demo city (what `make run` loads: 200 generated subjects, seed 2019) goes into a
temporary SQLite store; its county scorecards and ranking are printed as read on the city's
reference date. The scaling city (4x bench.scaling's base: 20,000 subjects; --quick 10,000)
is generated, imported into PostgreSQL and projected (store feed), then each read is made
`--repeat` times in-process, one at a time, after one warm-up: wall time (the API process and
PostgreSQL together) and the API process's CPU time. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench import dataset
from bench.common import DATABASE_URL, Result, drop_app, settle_app, tag
from ledger.generator.city import reference_date
from ledger.generator.demo import DEMO_SEED

SHOWN = ("commitment_coverage", "citizen_score_holders", "publicity_timeliness",
         "black_listed_enterprise_share", "poor_grade_enterprise_share")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the size make bench uses")
    p.add_argument("--subjects", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--app", help="an application whose views are built (else build one; "
                                 "either way it is dropped at the end)")
    args = p.parse_args(argv)
    if args.quick:
        args.subjects, args.repeat = 10_000, 3
    return args


def client_for(database_url: str, app: str, demo: bool) -> tuple[TestClient, Any]:
    from api.app import create_app
    from api.bootstrap import bootstrap
    from ledger.settings import Settings

    settings = Settings(database_url=database_url, app_name=app, demo=demo)
    day = reference_date(DEMO_SEED)
    runtime = bootstrap(settings, clock=lambda: day, relay=False, project=demo)
    return TestClient(create_app(runtime)), runtime


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def demo_tables() -> list[str]:
    """The demo city's county scorecards (a few indicators) and ranking, as markdown."""
    from ledger.generator.demo import load_demo_if_empty

    with tempfile.TemporaryDirectory() as tmp:
        client, runtime = client_for(f"sqlite:///{Path(tmp) / 'demo.sqlite3'}", "Demo", True)
        with client:
            load_demo_if_empty(runtime)
            head = runtime.ledger.head_position()
            answer = client.get("/v1/regions", params={"min_position": head,
                                                       "months": 3}).json()
    city = {i["id"]: i for i in answer["city"]["indicators"]}
    lines = [f"The demo city on {answer['as_of']} (`GET /v1/regions?months=3`): rank (mean of "
             "the indicator ranks), indicators passed, and five of the thirteen indicators "
             "(value, rank among the six counties).", "",
             "| rank | county | population | mean rank | passed | " + " | ".join(SHOWN) + " |",
             "| ---: | --- | ---: | ---: | ---: | " + " | ".join("---" for _ in SHOWN) + " |"]
    for r in answer["regions"]:
        found = {i["id"]: i for i in r["indicators"]}
        lines.append(f"| {r['rank'] or '–'} | {r['name']} {r['code']} | {r['population']:,} | "
                     f"{fmt(r['mean_rank'])} | {r['passed']} | " + " | ".join(
                         f"{fmt(found[i]['value'])} ({found[i]['rank'] or '–'})"
                         for i in SHOWN) + " |")
    lines.append(f"| | whole city 211100 | {answer['city']['population']:,} | | "
                 f"{answer['city']['passed']} | " + " | ".join(fmt(city[i]["value"])
                                                              for i in SHOWN) + " |")
    lines += ["", "Rank history: " + "; ".join(
        f"{m['month']}: " + ", ".join(f"{p['code']} {p['rank'] or '–'}" for p in m["ranking"])
        for m in answer["history"])]
    return lines


def timed(client: TestClient, path: str, params: dict[str, Any],
          repeat: int) -> tuple[float, float]:
    """Median wall and API-process CPU milliseconds of one read (after a warm-up)."""
    assert client.get(path, params=params).status_code == 200
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, params=params)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200, response.text
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    result = Result("regions", "County monitoring: GET /v1/regions beside GET /v1/indicators",
                    "python -m bench.regions" + (" --quick" if args.quick else ""),
                    params={"subjects": args.subjects, "repeat": args.repeat})
    result.notes.append("\n".join(demo_tables()))
    app = args.app or f"BenchRegions{tag()}"
    try:
        if not args.app:
            dataset.import_city(app, dataset.city_file(args.subjects))
            dataset.stage("project", app, kafka=False)
        settle_app(app)
        client, _ = client_for(DATABASE_URL, app, False)
        as_of = reference_date(1).isoformat()  # the bench city's own reference date
        reads = {"GET /v1/indicators": ("/v1/indicators", {}),
                 "GET /v1/indicators?region=211103": ("/v1/indicators", {"region": "211103"}),
                 "GET /v1/regions?months=1": ("/v1/regions", {"months": 1}),
                 "GET /v1/regions (months=3)": ("/v1/regions", {}),
                 "GET /v1/regions?months=12": ("/v1/regions", {"months": 12})}
        costs = {}
        with client:
            for name, (path, params) in reads.items():
                costs[name] = timed(client, path, params | {"as_of": as_of}, args.repeat)
                print(f"{name}: {costs[name][0]:,.0f} ms wall, {costs[name][1]:,.0f} ms CPU "
                      f"(median of {args.repeat})", flush=True)
    finally:
        drop_app(app)
    base_wall, base_cpu = costs["GET /v1/indicators"]
    for name, (wall, cpu) in costs.items():
        baseline = None if name == "GET /v1/indicators" else "GET /v1/indicators"
        result.add(f"{name}: wall", wall, "ms", baseline, base_wall if baseline else None,
                   better="lower")
        result.add(f"{name}: API CPU", cpu, "ms", baseline, base_cpu if baseline else None,
                   better="lower")
    result.emit()


if __name__ == "__main__":
    main()
