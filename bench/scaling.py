"""Scaling: import, relay and rebuild at 1x, 2x and 4x events; lookups at 10k, 100k, 1M subjects.

    .venv/bin/python -m bench.scaling [--quick] [--base 2500] [--sizes 10000,100000,1000000]

Each stage runs in its own process to the store's head (bench/stages.py), so wait4 gives its
CPU time and peak RSS: cost per event should stay flat and memory bounded as events grow.
The 4x city is then looked up through the API (uvicorn, 2 workers) at fixed rate and at
saturation; for 100k and 1M subjects its lookup views are multiplied in SQL with suffixed codes
(bench/clone.py), because importing a million subjects does not fit in the time. Plots go to
docs/bench-scaling-*.png. The baseline of each figure is the same stage at 1x.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench import clone, dataset, plots, tools
from bench.common import CACHE_DIR, Result, delete_topics, drop_app, ledger_env, tag
from bench.servers import STACK, uvicorn

FACTORS = (1, 2, 4)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the size make bench uses")
    p.add_argument("--base", type=int, default=5000, help="subjects at 1x")
    p.add_argument("--sizes", default="10000,100000,1000000", help="subjects for lookups")
    p.add_argument("--rate", type=float, default=100, help="lookups per second, fixed rate")
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--port", type=int, default=18100)
    args = p.parse_args(argv)
    if args.quick:
        args.base, args.seconds = 2500, 3
    return args


def stages_at(factor: int, args: argparse.Namespace, app: str, topic: str,
              startup: float) -> dict[str, Any]:
    """Import, relay and rebuild a city of factor x base subjects; per-stage measurements."""
    city = dataset.city_file(args.base * factor)
    child, events, rejected = dataset.import_city(app, city)
    out = {"events": events, "import": measured(child, events, child.seconds, startup),
           "rejected_rows": rejected}
    for name in ("relay", "rebuild"):
        child, said = dataset.stage(name, app, kafka=True, topic=topic)
        out[name] = measured(child, said["events"], said["seconds"], startup)
    print(f"{factor}x: {events:,} events; " + ", ".join(
        f"{k} {v['per_event_us']:.0f} µs/event, {v['max_rss_mb']:.0f} MB"
        for k, v in out.items() if isinstance(v, dict)), flush=True)
    return out


def measured(child: Any, events: int, seconds: float, startup: float) -> dict[str, float]:
    """Wall time per event (start-up excluded), CPU per event (less a bare start-up's CPU)."""
    cpu = max(0.0, child.cpu_seconds - startup)
    return {"seconds": seconds, "events": events, "rate": events / seconds,
            "per_event_us": 1e6 * seconds / events, "cpu_per_event_us": 1e6 * cpu / events,
            "max_rss_mb": child.max_rss_mb}


def startup_cpu(app: str) -> float:
    """CPU seconds of a process that starts, bootstraps and exits (subtracted per stage)."""
    return dataset.stage("startup", app, kafka=False)[0].cpu_seconds


def lookups(app: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Lookup latency and throughput as the subject count grows by cloning view rows."""
    out: list[dict[str, Any]] = []
    original = clone.subjects(app)
    done = 0  # copies made so far
    for size in [int(s) for s in args.sizes.split(",")]:
        copies = max(0, -(-size // original) - 1)
        grown = clone.multiply(app, done + 1, copies) if copies > done else {"seconds": 0.0}
        done = max(done, copies)
        codes = dataset.sample_codes(app, 2000)
        urls = CACHE_DIR / "urls-scaling.txt"
        with uvicorn("bench.served:create", ledger_env(app, kafka=False), port=args.port,
                     workers=2) as base:
            urls.write_text("".join(f"{base}/v1/subjects/{c}\n" for c in codes))
            top = tools.saturate(base, urls, args.seconds, connections=8)
            fixed = tools.fixed_rate(urls, args.rate, args.seconds)
        point = {"subjects": clone.subjects(app), "generated_seconds": grown["seconds"],
                 "views_mb": clone.size_mb(app), "max_rps": top["rps"],
                 "p50_ms": fixed["p50_ms"], "p99_ms": fixed["p99_ms"],
                 "errors": fixed["errors"] + top["errors"]}
        print(f"lookups at {point['subjects']:,} subjects: {point}", flush=True)
        out.append(point)
    return out


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    run = tag()
    apps = {f: (f"BenchScale{run}x{f}", f"bench.scale.{run}.x{f}") for f in FACTORS}
    try:
        startup = startup_cpu(apps[1][0])
        stages = {f: stages_at(f, args, *apps[f], startup) for f in FACTORS}
        looked = lookups(apps[FACTORS[-1]][0], args)
    finally:
        for app, topic in apps.values():
            drop_app(app)
            delete_topics(topic)
    report(args, stages, looked).emit()


def report(args: argparse.Namespace, stages: dict[int, dict[str, Any]],
           looked: list[dict[str, Any]]) -> Result:
    result = Result("scaling", "Scaling: cost per event and per subject",
                    "python -m bench.scaling" + (" --quick" if args.quick else ""),
                    params={"subjects_at_1x": args.base, "lookup_rate": args.rate,
                            "seconds_per_lookup_step": args.seconds, "api_workers": 2,
                            "server": "uvicorn " + " ".join(STACK)})
    one = stages[FACTORS[0]]
    for factor in reversed(FACTORS[1:]):  # 4x first: the headline
        for stage in ("import", "relay", "rebuild"):
            now = stages[factor][stage]
            result.add(f"{stage} at {factor}x ({now['events']:,} events): wall per event",
                       now["per_event_us"], "µs", f"{stage} at 1x", one[stage]["per_event_us"],
                       better="lower")
            result.add(f"{stage} at {factor}x: peak RSS", now["max_rss_mb"], "MB",
                       f"{stage} at 1x", one[stage]["max_rss_mb"], better="lower")
    top = stages[FACTORS[-1]]
    result.notes.append(
        f"From 1x to {FACTORS[-1]}x events, wall time per event changed by "
        + ", ".join(f"{s} {top[s]['per_event_us'] / one[s]['per_event_us']:.2f}×"
                    for s in ("import", "relay", "rebuild"))
        + " and peak RSS by "
        + ", ".join(f"{s} {top[s]['max_rss_mb'] / one[s]['max_rss_mb']:.2f}×"
                    for s in ("import", "relay", "rebuild"))
        + " (1.00× is flat; below is cheaper per event at scale).")
    rejected = sum(stages[f].get("rejected_rows", 0) for f in FACTORS)
    if rejected:
        result.notes.append(f"The importer rejected {rejected} of the generated rows over the "
                            "three cities (see the log); the figures count what it stored.")
    first = looked[0]
    for point in looked:
        n = f"{point['subjects']:,}"
        result.add(f"lookup p99 at {args.rate:g}/s, {n} subjects", point["p99_ms"], "ms",
                   f"{first['subjects']:,} subjects", first["p99_ms"], better="lower")
        result.add(f"lookups, most req/s (wrk -c8), {n} subjects", point["max_rps"], "req/s",
                   f"{first['subjects']:,} subjects", first["max_rps"])
    result.series = {"stages": {str(k): v for k, v in stages.items()}, "lookups": looked}
    result.params["plots"] = plots.scaling(stages, looked)
    if any(p["generated_seconds"] for p in looked):
        result.notes.append("Beyond the imported city, subjects for the lookup test were made "
                            "by copying its profile and list rows with suffixed codes in SQL "
                            "(bench/clone.py), not by importing them.")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
