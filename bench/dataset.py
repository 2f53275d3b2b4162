"""A generated city in a fresh bench application: NDJSON file, import, views, sample codes."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

from bench.common import (
    AUTHORITY,
    CACHE_DIR,
    DATABASE_URL,
    Stage,
    credit_ledger,
    ledger_env,
    run_stage,
)

CACHE = CACHE_DIR


def city_file(subjects: int, seed: int = 1) -> Path:
    """The generated city's NDJSON (cached: one seed always gives the same file)."""
    path = CACHE / f"city-{subjects}-s{seed}.ndjson"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        stage = run_stage(credit_ledger("generate", "--subjects", str(subjects), "--seed",
                                        str(seed), "--out", str(partial)), ledger_env("gen",
                                                                                      kafka=False))
        check(stage, "generate")
        partial.rename(path)
    return path


def import_city(app: str, path: Path, **env: str) -> tuple[Stage, int, int]:
    """`credit-ledger import` of a city file: the stage, events stored and rows rejected."""
    stage = run_stage(credit_ledger("import", str(path), "--authority", AUTHORITY),
                      ledger_env(app, kafka=False, **env))
    rejected = rejected_rows(stage.stdout)
    if not (stage.returncode == 0 or (rejected and "new events" in stage.stdout)):
        check(stage, "import")
    found = re.search(r"stored ([\d,]+) new events", stage.stdout)
    return with_workers(stage), int(found.group(1).replace(",", "")) if found else 0, rejected


def with_workers(stage: Stage) -> Stage:
    """The import's own usage plus its worker processes' (which wait4 does not see)."""
    found = re.search(r"worker processes: ([\d.]+) CPU-s, largest peak RSS ([\d.]+) MB",
                      stage.stdout)
    if not found:
        return stage
    return replace(stage, cpu_seconds=stage.cpu_seconds + float(found.group(1)),
                   max_rss_mb=max(stage.max_rss_mb, float(found.group(2))))


def rejected_rows(report: str) -> int:
    """Rows the importer refused (it exits 1 then, having stored the rest)."""
    found = re.search(r"([\d,]+) rejected", report)
    count = int(found.group(1).replace(",", "")) if found else 0
    if count:
        print(f"warning: the importer rejected {count} generated rows:\n"
              + "\n".join(report.splitlines()[-6:]), file=sys.stderr, flush=True)
    return count


def stage(name: str, app: str, *, kafka: bool, topic: str | None = None) -> tuple[Stage, dict]:
    """Run bench.stages NAME to the head; the measured child and what it printed."""
    child = run_stage([sys.executable, "-m", "bench.stages", name],
                      ledger_env(app, kafka=kafka, topic=topic))
    check(child, name)
    return child, json.loads(child.stdout.strip().splitlines()[-1])


def check(child: Stage, what: str) -> None:
    if child.returncode != 0:
        sys.stderr.write(child.stdout[-2000:] + child.stderr[-4000:])
        raise SystemExit(f"bench: {what} failed with exit code {child.returncode}")


def sample_codes(app: str, n: int) -> list[str]:
    """Up to n subject codes from the profile view, in a fixed pseudo-random order."""
    from projections.storage import ViewStore, table_prefix

    store = ViewStore(DATABASE_URL, table_prefix(app), pool_size=1)
    try:
        with store.reader() as tx:
            rows = tx.fetchall(f"SELECT code FROM {tx.t('profile_subject')} "
                               "ORDER BY md5(code) LIMIT ?", (n,))
    finally:
        store.close()
    return [r[0] for r in rows]
