"""SQLite write locks: how many store-side transactions that read before they write fail with
"database is locked" while the views' runner commits to the same file (docs/adr/034).

    .venv/bin/python -m bench.sqlite_write_locks [--quick] [--rounds 500] [--gap 0.002]

A side table's tally is read, 1 ms passes, and it is written back, `--rounds` times (with
`--gap` seconds between transactions, the time a request spends elsewhere); then as many side
tables are added beside one that exists (an upgrade). Meanwhile a second connection commits
one-row transactions through the view store in a loop, as the runner does. Prints the
failures, the elapsed time and the runner's commits, and a BENCH_JSON line; asserts
nothing. Needs no service (a temporary SQLite file). Runs on any tree that has `SideTables`,
`ViewStore` and `bench.common`, so the same command measures before and after a change.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.common import Result
from ledger.build import build_ledger
from ledger.settings import Settings
from ledger.store.sidetables import SideTables
from projections.storage import ViewStore


def runner(url: str, stop: threading.Event, commits: list[int]) -> None:
    store = ViewStore(url, "bench_runner")
    conn = store.connect()
    conn.execute("CREATE TABLE IF NOT EXISTS bench_runner (n INTEGER)")
    while not stop.is_set():
        with store.transaction(conn) as tx:
            tx.execute("INSERT INTO bench_runner (n) VALUES (?)", (commits[0],))
        commits[0] += 1
        time.sleep(0.0005)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--gap", type=float, default=0.0)
    parser.add_argument("--quick", action="store_true", help="200 rounds")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 200
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'ledger.sqlite3'}"
        ledger = build_ledger(Settings(database_url=url, app_name="B" + uuid.uuid4().hex[:8]))
        side = SideTables(ledger.recorder, {"tally": "name TEXT PRIMARY KEY, n BIGINT"})
        tally = side.t("tally")
        stop, commits = threading.Event(), [0]
        thread = threading.Thread(target=runner, args=(url, stop, commits))
        thread.start()
        time.sleep(0.05)
        failed, start, before = 0, time.monotonic(), commits[0]
        for _ in range(args.rounds):
            try:
                with side.transaction() as tx:
                    row = tx.fetchone(f"SELECT n FROM {tally} WHERE name = 'a'")
                    time.sleep(0.001)
                    tx.execute(f"INSERT INTO {tally} (name, n) VALUES ('a', ?) ON CONFLICT "
                               "(name) DO UPDATE SET n = excluded.n", ((row[0] if row else 0) + 1,))
            except Exception:  # counted: "database is locked"
                failed += 1
            time.sleep(args.gap)
        elapsed, ran = time.monotonic() - start, commits[0] - before
        upgrades = 0
        for n in range(args.rounds):
            try:
                SideTables(ledger.recorder, {"tally": "name TEXT PRIMARY KEY, n BIGINT",
                                             f"added_{n}": "id TEXT"})
            except Exception:
                upgrades += 1
        stop.set()
        thread.join()
        ledger.close()
    print(f"read-then-write: {failed}/{args.rounds} failed in {elapsed:.2f} s, the runner "
          f"committing {ran} times meanwhile; tables added by an upgrade: "
          f"{upgrades}/{args.rounds} failed")
    result = Result("sqlite_write_locks", "SQLite write locks beside the views' runner",
                    f"python -m bench.sqlite_write_locks --rounds {args.rounds} --gap {args.gap}",
                    params={"rounds": args.rounds, "gap_s": args.gap})
    result.add("read-then-write failed", failed, "transactions", better="lower")
    result.add("upgrades failed", upgrades, "table sets", better="lower")
    result.add("runner commits", ran / elapsed, "commits/s")
    result.emit()


if __name__ == "__main__":
    main()
