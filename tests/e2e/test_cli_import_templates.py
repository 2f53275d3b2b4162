"""A data officer imports the department's exports as they come out of its systems: both
editions of the national double-publicity template, UTF-8 with BOM and GB18030, through
`credit-ledger import` on SQLite and PostgreSQL; then the public sees the profile, the
authority's timeliness (published the day of the import) and the score that result."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.publicity import published_late
from ledger.settings import Settings
from tests.e2e.test_cli_import import cli, stored_events

FILES = Path(__file__).parents[1] / "data" / "templates"
MARKET, ENVIRONMENT = "11211100012345671L", "112111000370370184"
APPROVAL = "11211100209876396G"
DELONG = "91211103MA0TPL015B"
ID_NUMBERS = ("211103198503122036", "211102197809051516", "211122199201174627",
              "211103197002283312")
# The market regulator's records in the files: decision day of each (5 penalties, 2 permits).
MARKET_DECISIONS = {"penalty": ["2026-11-02", "2026-12-01", "2026-11-16", "2026-11-20",
                                "2026-10-26"],
                    "permit": ["2026-11-18", "2026-11-27"]}


def late_count(days: list[str], published: date) -> int:
    calendar = WorkingCalendar.national()
    return sum(published_late(date.fromisoformat(d), published, calendar) for d in days)


def test_department_exports_import_as_they_are_and_show_in_profile_timeliness_and_score(
    database_url: str, unique_name: str,
) -> None:
    env = {"LEDGER_DATABASE_URL": database_url, "LEDGER_APP_NAME": unique_name}
    imported = datetime.now(UTC).date()
    for name, authority, rows in (("penalties-2021-utf8-bom.csv", MARKET, 5),
                                  ("permits-2021-gb18030.csv", APPROVAL, 3),
                                  ("penalties-earlier-gb18030.csv", ENVIRONMENT, 2),
                                  ("permits-earlier-utf8-bom.csv", MARKET, 2)):
        done = cli(env, "import", str(FILES / name), "--authority", authority)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{rows} rows read, {rows} valid, 0 rejected" in done.stdout
        assert not [n for n in ID_NUMBERS if n in done.stdout + done.stderr]
    events = stored_events(database_url, unique_name)

    # A header damaged by hand is refused whole, naming the column and what it should be.
    damaged = cli(env, "import", str(FILES / "penalties-2021-damaged.csv"), "--authority", MARKET)
    assert damaged.returncode == 1
    assert "unknown column(s) '处罚类別' (did you mean '处罚类别'?)" in damaged.stderr
    assert "处罚决定日 期" not in damaged.stderr  # spaces in a name are forgiven
    assert stored_events(database_url, unique_name) == events

    settings = Settings(database_url=database_url, app_name=unique_name)
    runtime = bootstrap(settings, relay=False)
    with TestClient(create_app(runtime)) as client:
        def read(path: str, **params: Any) -> dict[str, Any]:
            response = client.get(path, params={"min_position": events} | params)
            assert response.status_code == 200, response.text
            return dict(response.json())

        # The profile: the kind read from the USCC, the domain from the authority catalogue,
        # the severity from 处罚类别, published the day the file was imported.
        profile = read(f"/v1/subjects/{DELONG}")
        assert (profile["kind"], profile["penalties_total"], profile["permits_total"]) == (
            "enterprise", 2, 1)
        penalties = {p["decision_no"]: p for p in profile["penalties"]}
        fine = penalties["盘市监罚〔2026〕101号"]
        assert (fine["severity"], fine["domain"], fine["published_on"]) == (
            "general", "circulation", imported.isoformat())
        assert fine["details"]["derived"] == {
            "party_kind": "uscc:91", "domain": f"authority:{MARKET}",
            "severity": "category:罚款", "published_on": "import_day"}
        assert fine["details"]["fine_amount"] == "5000.00"  # 0.5 万元
        assert penalties["盘市监罚〔2026〕117号"]["severity"] == "minor"  # 警告
        assert not [n for n in ID_NUMBERS if n in str(profile)]

        # Timeliness: the regulator's records count late or on time as of the import day.
        [market] = read("/v1/publicity/timeliness", authority=MARKET)["items"]
        for kind, days in MARKET_DECISIONS.items():
            assert market["by_kind"][kind]["recorded"] == len(days)
            assert market["by_kind"][kind]["late"] == late_count(days, imported)
        assert market["recorded"] == 7 and market["passed"] is False

        # The score: the base less a general and a minor penalty, plus the permit, each line
        # tracing to its event.
        score = read(f"/v1/subjects/{DELONG}/score")
        rules = sorted(line["rule"] for line in score["explanation"])
        assert rules == ["BASE", "E-PEN-GENERAL", "E-PEN-MINOR", "E-PERMIT"]
        assert score["score"] == sum(line["points"] for line in score["explanation"])
        assert re.fullmatch(r"[A-D][+-]?", score["grade"])
