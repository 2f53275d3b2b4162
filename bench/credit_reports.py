"""Credit reports on a served demo city: the PDF's size and generation time, and verification.

    PYTHONPATH=. .venv/bin/python -m bench.credit_reports [--subjects 200] [--reports 30]

Starts `credit-ledger serve` (embedded SQLite) over a demo city, downloads the reports of
listed subjects one after another (GET /v1/subjects/{code}/report.pdf), then verifies each
code (GET /v1/reports/verify). Prints sizes and times (median, 95th percentile, max) as a
client sees them. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.soak import served


def _line(what: str, values: list[float], unit: str, scale: float = 1.0) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"{what}: median {statistics.median(ordered) * scale:.1f} {unit}, "
            f"p95 {p95 * scale:.1f} {unit}, max {ordered[-1] * scale:.1f} {unit} "
            f"(n={len(ordered)})")


def _codes(base: str, wanted: int) -> list[str]:
    deadline, codes = time.monotonic() + 60, []
    while time.monotonic() < deadline and not codes:
        for name in ("black", "key_attention", "red"):
            items = httpx.get(f"{base}/v1/lists/{name}", params={"page_size": 100}).json()
            codes += [i["code"] for i in items.get("items", [])]
        time.sleep(0.5)
    return list(dict.fromkeys(codes))[:wanted]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--reports", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            served(f"sqlite:///{Path(tmp) / 'ledger.sqlite3'}", Path(tmp),
                   subjects=args.subjects) as base, httpx.Client(timeout=60) as client:
        codes = _codes(base, args.reports)
        client.get(f"{base}/v1/subjects/{codes[0]}/report.pdf")  # warm: imports, first font
        made, sizes, verified, pages = [], [], [], []
        for code in codes:
            started = time.perf_counter()
            r = client.get(f"{base}/v1/subjects/{code}/report.pdf")
            made.append(time.perf_counter() - started)
            r.raise_for_status()
            sizes.append(len(r.content))
            pages.append(r.content.count(b"/Type /Page\n") or r.content.count(b"/Type /Page"))
            started = time.perf_counter()
            v = client.get(f"{base}/v1/reports/verify",
                           params={"code": r.headers["X-Report-Code"]})
            verified.append(time.perf_counter() - started)
            v.raise_for_status()
        print(_line("report.pdf", made, "ms", 1000))
        print(_line("size", [float(s) for s in sizes], "KB", 1 / 1024))
        print(f"pages: {min(pages)}–{max(pages)}")
        print(_line("verify", verified, "ms", 1000))


if __name__ == "__main__":
    main()
