"""`credit-ledger generate` and `credit-ledger import` as an operator runs them: real processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ledger.build import build_ledger
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings

CLI = [sys.executable, "-m", "api.cli"]
MARKET = make_uscc("1", "1", "211100", "00000770")
ACME = make_uscc("9", "1", "211103", "MA0QWERT")
BAD_PERSON_ID = "211103199001011235"  # check character should be 4


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | env
    return subprocess.run([*CLI, *args], env=full, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[2])


def stored_events(database_url: str, app_name: str) -> int:
    ledger = build_ledger(Settings(database_url=database_url, app_name=app_name))
    try:
        return ledger.head_position()
    finally:
        ledger.close()


def test_generate_then_import_a_city_and_import_it_again(
    database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    env = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name}
    city = tmp_path / "city.ndjson"
    made = cli(env, "generate", "--subjects", "120", "--seed", "3", "--out", str(city))
    assert made.returncode == 0, made.stderr
    # The same seed writes the same city, to a file or to stdout.
    assert cli(env, "generate", "--subjects", "120", "--seed", "3").stdout == city.read_text()
    rows = len(city.read_text().splitlines())

    # Two processes share the subjects (the CLI's way for big files); a re-run uses one.
    first = cli(env, "import", str(city), "--authority", MARKET, "--workers", "2")
    assert first.returncode == 0, first.stderr
    assert f"{rows:,} rows read, {rows:,} valid, 0 rejected" in first.stdout
    events = int(re.search(r"stored ([\d,]+) new events", first.stdout)[1].replace(",", ""))
    assert events >= rows and stored_events(database_url, unique_name) == events
    assert "rows/s" in first.stderr  # the progress bar

    again = cli(env, "import", str(city), "--authority", MARKET)
    assert again.returncode == 0, again.stderr
    assert "stored 0 new events" in again.stdout
    assert stored_events(database_url, unique_name) == events


def test_rejected_rows_are_reported_and_all_or_nothing_stores_nothing(
    pg_url: str, unique_name: str, tmp_path: Path,
) -> None:
    env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name}
    header = "party_name,party_kind,party_code,decision_no,category,decided_on,published_on"
    permits = tmp_path / "permits.csv"
    permits.write_text("\n".join([
        header,
        f"鑫达石化,enterprise,{ACME},盘市监许〔2026〕1号,普通,2026-05-06,2026-05-07",
        f"李四,natural_person,{BAD_PERSON_ID},盘市监许〔2026〕2号,普通,2026-05-06,2026-05-07",
        f"鑫达石化,enterprise,{ACME},盘市监许〔2026〕3号,普通,2026-05-06,2026-05-01",
    ]) + "\n", encoding="utf-8")

    strict = cli(env, "import", str(permits), "--authority", MARKET, "--all-or-nothing")
    assert strict.returncode == 1
    assert "nothing stored" in strict.stdout
    assert stored_events(pg_url, unique_name) == 0

    report = tmp_path / "rejected.ndjson"
    lenient = cli(env, "import", str(permits), "--authority", MARKET, "--report", str(report))
    assert lenient.returncode == 1  # some rows were rejected; the valid ones are stored
    assert "3 rows read, 1 valid, 2 rejected" in lenient.stdout
    assert re.search(r"line 3  subject  resident ID check character .* expected '4'",
                     lenient.stdout)
    assert "line 4  published_on" in lenient.stdout
    assert BAD_PERSON_ID not in lenient.stdout + lenient.stderr
    assert [json.loads(x)["line"] for x in report.read_text().splitlines()] == [3, 4]
    assert stored_events(pg_url, unique_name) == 2  # ACME registered, permit 1 granted


def test_a_file_that_cannot_be_read_or_a_bad_authority_is_refused_whole(
    pg_url: str, unique_name: str, tmp_path: Path,
) -> None:
    env = {"LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": unique_name}
    odd = tmp_path / "odd.csv"
    odd.write_text("party_name,favourite_colour\nx,blue\n", encoding="utf-8")
    refused = cli(env, "import", str(odd), "--authority", MARKET)
    assert refused.returncode == 1 and "unknown column(s) 'favourite_colour'" in refused.stderr
    wrong = cli(env, "import", str(odd), "--authority", "91350100M000100Y4Z")
    assert wrong.returncode == 2 and "expected '3'" in wrong.stderr
    assert stored_events(pg_url, unique_name) == 0
