"""Credit checks at city scale: the time of a subject's Nth check, for N = 1, 100, 1000.

    .venv/bin/python -m bench.checks [--quick] [--sizes 1,100,1000] [--calls 9]

One black-listed enterprise is checked for government procurement through the use case
(`CreditLedger.check_credit`, what `POST /v1/checks` runs, in-process: no HTTP), on SQLite
(a file under /tmp) and on PostgreSQL. For each N its check log is first filled with N-1
checks in one save (the fill is not timed), then `--calls` checks are timed one by one and
the median is taken: the Nth check and the few after it. Two kinds of check: without a
matter number (every check recorded) and each with a new matter number (every check
recorded, and one more matter the log must remember). The baseline is the first check of a
subject (N = 1) in the same run: the ratio says how much a long log costs. It prints
milliseconds, asserts nothing, and drops its tables and files.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import DATABASE_URL, Result, drop_app, tag
from ledger import check_cases
from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.contracts.checks import CheckIn
from ledger.core import By
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.credit_check import CheckLog, check_log_stream, measures_for
from ledger.domain.errors import NotFound
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject
from ledger.settings import Settings

COURT = "11110000000019263L"
PROCUREMENT = "11211100MB0000120X"
SCENARIO = "government_procurement"
TODAY = date(2026, 10, 16)
BY = By(PROCUREMENT, "zc-system")


def listed_subject(code: str) -> Subject:
    """An enterprise the court has black-listed: every procurement check applies a measure."""
    s = Subject.register(code=code, name="Big Company Co., Ltd.", kind="enterprise",
                         masked=None, authority=COURT, actor="bench",
                         registered_on=date(2020, 1, 2))
    s.put_on_list(authority=COURT, actor="bench", list_name="black", domain="judicial",
                  basis="judgment debtor", listed_on=date(2026, 9, 1),
                  notified_on=date(2026, 8, 20), expires_on=date(2029, 9, 1),
                  removal_conditions="pays",
                  today=TODAY, policy=RepairPolicy(), calendar=WorkingCalendar.default())
    return s


def fill(ledger: CreditLedger, code: str, checks: int, matters: bool) -> None:
    """The subject's check log with `checks` checks already in it, as the use case would
    have left it: saved in parts, each snapshot taken where a check would have taken it."""
    if checks == 0:
        return
    scenario = ledger.scenarios.get(SCENARIO)
    outcome = measures_for(ledger.subject(code), scenario, ledger.scenarios, TODAY)
    log = CheckLog.open(subject=code, on=TODAY, **BY.kw())
    every = getattr(check_cases, "CHECK_LOG_SNAPSHOT_EVERY", 0)
    for i in range(checks):
        log.record(scenario=scenario, catalogue=ledger.scenarios.version,
                   matter_no=f"FILL-{i}" if matters else None, subject_kind="enterprise",
                   outcome=outcome, on=TODAY, **BY.kw())
        if every and log.version % every == 0:
            ledger.save(log)
            ledger.snapshot_check_log(log)
        elif len(log.pending_events) >= 500:  # one save of 10,000 events is a 25 MB message
            ledger.save(log)
    ledger.save(log)


def code_of(i: int) -> str:
    return f"9111000060003{i:04d}X"


def nth_check(ledger: CreditLedger, serial: int, n: int, calls: int, matters: bool
              ) -> list[float]:
    """Milliseconds of the Nth check of a fresh subject and of the calls-1 after it."""
    code = code_of(serial)
    ledger.save(listed_subject(code))
    fill(ledger, code, n - 1, matters)
    out = []
    for i in range(calls):
        body = CheckIn(subject=code, scenario=SCENARIO,
                       matter_no=f"M-{n}-{i}" if matters else None)
        started = time.perf_counter()
        receipt, _ = ledger.check_credit(code, body, BY)
        out.append((time.perf_counter() - started) * 1000)
        assert receipt.created  # every one of these checks is recorded
    return out


def log_events(ledger: CreditLedger, code: str) -> int:
    try:
        return len(list(ledger.events.get(check_log_stream(code))))
    except NotFound:
        return 0


def snapshot_bytes(ledger: CreditLedger, code: str) -> str:
    """The size of the check log's latest snapshot, if the ledger takes any."""
    store = getattr(ledger, "check_log_snapshots", None)
    if store is None:
        return "no snapshots"
    found = store.recorder.select_events(check_log_stream(code), desc=True, limit=1)
    return (f"snapshot at {found[0].originator_version}: {len(found[0].state)} bytes"
            if found else "no snapshot")


def run(backend: str, url: str, app: str, sizes: list[int], calls: int, result: Result
        ) -> dict[str, dict[int, float]]:
    ledger = build_ledger(Settings(database_url=url, app_name=app, env="test"),
                          clock=lambda: TODAY)
    medians: dict[str, dict[int, float]] = {}
    serial = 0
    try:
        for matters in (False, True):
            kind = "a new matter each" if matters else "no matter number"
            medians[kind] = {}
            for n in sizes:
                serial += 1
                ms = nth_check(ledger, serial, n, calls, matters)
                medians[kind][n] = statistics.median(ms)
                code = code_of(serial)
                print(f"{backend:>10}, {kind:>17}: check #{n:<5} median {medians[kind][n]:8.2f}"
                      f" ms  (max {max(ms):7.2f}, {calls} checks, log then "
                      f"{log_events(ledger, code)} events, {snapshot_bytes(ledger, code)})")
            first = medians[kind][sizes[0]]
            for n in sizes[1:]:
                result.add(f"{backend}, {kind}: check #{n}, median", round(medians[kind][n], 2),
                           "ms", f"check #{sizes[0]} of a subject, same run",
                           round(first, 2), better="lower")
    finally:
        ledger.close()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the size `make bench` uses")
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--calls", type=int, default=9)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    load = os.getloadavg()[0]
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"PostgreSQL at {DATABASE_URL.split('@')[-1]}, load average {load:.1f}")
    result = Result("checks", "Credit checks: the Nth check of a subject (bench/checks.py)",
                    "python -m bench.checks" + (" --quick" if args.quick else ""),
                    params={"sizes": sizes, "calls": args.calls,
                            "load_average_1min": round(load, 1)})
    series: dict[str, object] = {}
    for backend in args.backends.split(","):
        app = f"checks_{tag()}"
        if backend == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="bench-checks-"))
            try:
                series[backend] = run(backend, f"sqlite:///{folder}/ledger.db", app, sizes,
                                      args.calls, result)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        else:
            try:
                series[backend] = run(backend, DATABASE_URL, app, sizes, args.calls, result)
            finally:
                drop_app(app)
    result.series = {"median_ms": series}
    result.notes.append(
        "Each figure is the median of the Nth check of one subject and the checks right "
        "after it, in-process (the use case, no HTTP), the log filled beforehand in one save. "
        "The check also reads the subject's own stream (two events here) to decide what "
        "applies; that part does not grow with checks.")
    result.emit()


if __name__ == "__main__":
    main()
