"""As-of state of a subject with 1,000 events: cold, warm, and a raw read of the same rows.

    .venv/bin/python bench/asof.py [--events 1000] [--calls 300]

Records one subject with EVENTS events (penalties, permits, commitments, listings) in a
fresh application on PostgreSQL (LEDGER_BENCH_DATABASE_URL, default the ledger_bench
database), then times `replay.asof.AsOf.state(code, as_of=T)` (what `replay state --as-of`
and GET /v1/audit/subjects/{code}/state run):

- cold: a fresh AsOf, so every row is read and every event applied to the views in memory;
- warm, same T: repeated questions (new rows are still looked up on every call);
- warm, any T: T drawn at random among the subject's record times (snapshots every 64
  events, then at most 63 events applied);

beside the bare baseline of reading the same rows raw (one indexed SELECT, no decoding).
Prints p50/p99 in milliseconds; asserts nothing about time. Drops its tables at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

import psycopg

from ledger.bootstrap import build_calendar, build_ledger
from ledger.domain.subject import Subject, subject_stream
from ledger.settings import Settings
from replay.asof import AsOf
from replay.rows import stream_rows

DATABASE_URL = os.environ.get("LEDGER_BENCH_DATABASE_URL",
                              "postgresql://ledger:ledger@127.0.0.1:5432/ledger_bench")
AUTHORITY = "11210000MB0000000X"
CODE = "91110000600037341L"
TODAY = date(2026, 6, 1)


def subject(events: int, settings: Settings) -> Subject:
    """One enterprise with a long history: every kind of fact, over three years."""
    calendar = build_calendar(settings)
    s = Subject.register(code=CODE, name="Long History Co., Ltd.", kind="enterprise",
                         masked=None, authority=AUTHORITY, actor="bench",
                         registered_on=date(2023, 1, 2))
    listing = None
    for j in range(events - 1):
        day = date(2023, 1, 3) + timedelta(days=j % 1000)
        kind = j % 5
        if kind == 0:
            s.impose_penalty(authority=AUTHORITY, actor="bench", decision_no=f"P-{j}",
                             severity=("minor", "general", "serious")[j % 3], domain="tax",
                             decided_on=day, published_on=day, category="fine",
                             basis="Tax Collection Administration Law art. 63", special=False,
                             details={"fine": f"{1000 + j}.00"}, today=TODAY,
                             calendar=calendar)
        elif kind in (1, 2):
            s.grant_permit(authority=AUTHORITY, actor="bench", decision_no=f"L-{j}",
                           category="licence", decided_on=day, published_on=day,
                           details={"certificate": f"C-{j}"}, today=TODAY, calendar=calendar)
        elif kind == 3:
            s.make_commitment(authority=AUTHORITY, actor="bench", commitment_type="voluntary",
                              made_on=day, content=f"commitment {j}", due_on=None, today=TODAY)
        elif listing is None:
            _, listing = s.put_on_list(authority=AUTHORITY, actor="bench", list_name="black",
                                       domain="tax", basis="tax evasion", notified_on=day,
                                       listed_on=day, expires_on=None,
                                       removal_conditions="pays", today=TODAY)
        else:
            s.remove_from_list(listing_id=listing, authority=AUTHORITY, actor="bench",
                               delisted_on=day, reason="repaired", today=TODAY)
            listing = None
    return s


def timed(fn: Callable[[], object], calls: int) -> list[float]:
    """Milliseconds per call."""
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def show(name: str, ms: list[float]) -> None:
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    print(f"{name:>34}: p50 {statistics.median(ms):7.2f} ms   p99 {q[98]:7.2f} ms   "
          f"({len(ms)} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    app = f"asof_{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=DATABASE_URL, app_name=app, env="test")
    ledger = build_ledger(settings)
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"PostgreSQL at {DATABASE_URL.split('@')[-1]}")
    try:
        ledger.save(subject(args.events, settings))
        rows = stream_rows(ledger.recorder, subject_stream(CODE))
        print(f"one subject, {len(rows)} events recorded")
        recorded = AsOf(ledger.recorder).timelines.get(CODE).recorded
        t = recorded[int(len(recorded) * 0.9)]

        cold = [timed(lambda: AsOf(ledger.recorder).state(CODE, as_of=t), 1)[0]
                for _ in range(5)]
        warm = AsOf(ledger.recorder)
        answer = warm.state(CODE, as_of=t)
        same = timed(lambda: warm.state(CODE, as_of=t), args.calls)
        times: list[datetime] = random.Random(7).choices(recorded, k=args.calls)
        it = iter(times)
        anyt = timed(lambda: warm.state(CODE, as_of=next(it)), args.calls)
        raw = timed(lambda: stream_rows(ledger.recorder, subject_stream(CODE)), args.calls)
        effective = timed(lambda: warm.state(CODE, as_of=t, effective=date(2024, 6, 1)), 20)

        print(f"state as of the 90th percentile record time: version "
              f"{answer['known']['version']}, score {answer['score']['score']}, "
              f"{answer['profile']['penalties_total']} penalties in public view")
        show("cold (fresh AsOf, all applied)", cold)
        show("warm, same --as-of", same)
        show("warm, random --as-of", anyt)
        show("warm, --as-of and --effective", effective)
        show("bare: read the same rows raw", raw)
    finally:
        ledger.close()
        with psycopg.connect(DATABASE_URL, autocommit=True) as db:
            db.execute(f"DROP TABLE IF EXISTS {app}_events")


if __name__ == "__main__":
    main()
