"""Run every benchmark (most at their --quick size), then rewrite docs/BENCHMARKS.md from them.

    .venv/bin/python -m bench.all [--dry-run] [--only NAME,...] [--write]

Each benchmark runs as a child process (`python -m bench.NAME ARGS`); its last stdout line,
`BENCH_JSON {...}` (bench/README.md), carries its figures. The full output of each goes to
.cache/bench/logs/NAME.log. Meant for `make bench`, which starts the services first.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine, report
from bench.common import CACHE_DIR, MARKER, ROOT, delete_topics, drop_app

LOGS = CACHE_DIR / "logs"


@dataclass
class Step:
    name: str
    args: list[str]
    budget: int  # seconds expected with these args on 2 cores; the child is stopped at 3x
    needs: dict[str, str] = field(default_factory=dict)  # flag -> "step.params.key"
    fallback: list[str] | None = None  # sizes to pass while the module lacks --quick


PLAN = [
    # The ingest runs at the size issue 3 names (100,000 events): the one that counts.
    Step("ingest", ["--events", "100000", "--slow-events", "2000"], 50),
    Step("relay", ["--quick"], 60, fallback=["--events", "30000"]),
    # The replay too, at the sizes issue 5 names (1,000,000 events; 100,000 beside it).
    Step("replay", ["--sizes", "100000,1000000"], 360,
         fallback=["--sizes", "30000", "--views", "all"]),
    Step("asof", ["--quick"], 45, fallback=["--events", "1000", "--calls", "100"]),
    Step("pipeline", ["--quick", "--keep"], 75),
    Step("api_load", ["--quick"], 90, needs={"--app": "pipeline.params.app"}),
    Step("one_query", ["--quick"], 40, needs={"--app": "pipeline.params.app"}),
    Step("scaling", ["--quick"], 200),
    Step("regions", ["--quick"], 240),
    Step("checks", ["--quick"], 60),
]



def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    p.add_argument("--only", help="comma-separated benchmark names")
    p.add_argument("--write", action="store_true",
                   help="rewrite docs/BENCHMARKS.md even with --only")
    return p.parse_args(argv)


def available(step: Step) -> str | None:
    """Why a step cannot run, or None."""
    source = ROOT / "bench" / f"{step.name}.py"
    if not source.exists():
        return "not written yet"
    if not quick(step) and step.fallback is None:
        return "has no --quick flag (see bench/README.md)"
    return None


def quick(step: Step) -> bool:
    return "--quick" in (ROOT / "bench" / f"{step.name}.py").read_text()


def resolve(step: Step, results: dict[str, dict[str, Any]]) -> list[str]:
    args = list(step.args) if quick(step) or step.fallback is None else list(step.fallback)
    for flag, ref in step.needs.items():
        value = _lookup(results, ref)
        if value is not None:
            args += [flag, str(value)]
    return args


def _lookup(results: dict[str, dict[str, Any]], ref: str) -> Any:
    """A figure an earlier step gave ("step.params.key"), or None."""
    name, _, key = ref.split(".", 2)
    return results.get(name, {}).get("params", {}).get(key)


def run_step(step: Step, args: list[str]) -> dict[str, Any]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{step.name}.log"
    argv = [sys.executable, "-m", f"bench.{step.name}", *args]
    started = time.perf_counter()
    with log.open("w") as out:
        try:
            child = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=out, text=True, timeout=step.budget * 3)
            stdout, code = child.stdout, child.returncode
        except subprocess.TimeoutExpired as e:
            stdout, code = _text(e.stdout), -1
        out.write(stdout)
    took = time.perf_counter() - started
    found = [line for line in stdout.splitlines() if line.startswith(MARKER)]
    result: dict[str, Any] = json.loads(found[-1][len(MARKER):]) if found else {
        "name": step.name, "figures": [], "notes": []}
    result.setdefault("command", "python -m bench." + step.name)
    result |= {"exit_code": code, "seconds": took, "log": str(log.relative_to(ROOT)),
               "argv": " ".join(["python", "-m", f"bench.{step.name}", *args])}
    if not found:
        tail = stdout.splitlines()[-15:] + log.read_text().splitlines()[-15:]
        result["notes"].append("No BENCH_JSON line (exit code "
                               f"{code}); last lines:\n\n```\n" + "\n".join(tail) + "\n```")
    return result


def _text(data: Any) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    wanted = set(args.only.split(",")) if args.only else None
    plan = [s for s in PLAN if wanted is None or s.name in wanted]
    print(f"bench: {len(plan)} benchmarks, about {sum(s.budget for s in plan) / 60:.0f} min")
    for step in plan:
        why = available(step)
        argv = resolve(step, {}) if not why else step.args
        needs = "".join(f" {flag} <{ref}>" for flag, ref in step.needs.items())
        print(f"  {step.name:<10} python -m bench.{step.name} {' '.join(argv)}{needs}"
              f"  ~{step.budget} s" + (f"  SKIPPED: {why}" if why else ""), flush=True)
    if args.dry_run:
        return
    before = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "load_before": machine.load_average(), "machine": machine.describe()}
    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    started = time.perf_counter()
    try:
        for step in plan:
            why = available(step)
            if why:
                skipped[step.name] = why
                continue
            unmet = [ref for ref in step.needs.values() if _lookup(results, ref) is None]
            if unmet:
                skipped[step.name] = f"needs {', '.join(unmet)}, which an earlier leg did not give"
                print(f"bench: {step.name} SKIPPED: {skipped[step.name]}", flush=True)
                continue
            print(f"bench: running {step.name} ...", flush=True)
            results[step.name] = result = run_step(step, resolve(step, results))
            print(report.console(result), flush=True)
    finally:
        kept = results.get("pipeline", {}).get("params", {})
        if kept.get("kept"):
            drop_app(kept["app"])
            delete_topics(kept["topic"])
    run = before | {"load_after": machine.load_average(),
                    "seconds": time.perf_counter() - started, "skipped": skipped}
    (CACHE_DIR / "results.json").write_text(json.dumps({"run": run, "results": results},
                                                       indent=1, ensure_ascii=False))
    document = report.markdown(run, results)
    if wanted is None or args.write:
        Path(ROOT / "docs" / "BENCHMARKS.md").write_text(document)
        print("bench: wrote docs/BENCHMARKS.md")
    print(document)
    failed = [name for name, r in results.items() if r["exit_code"] != 0]
    failed += [name for name, why in skipped.items() if why.startswith("needs")]
    if failed:
        raise SystemExit(f"bench: {', '.join(failed)} failed (logs in {LOGS}); the figures "
                         "above are incomplete")


if __name__ == "__main__":
    main()
