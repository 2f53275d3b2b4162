"""A demo city behind the portal, on SQLite or PostgreSQL, and a few subjects whose story the
portal tests read: a company with penalties (one repairable later, one never) and a black
listing, a person the portal finds by ID number, and a repair case in progress."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.application import By
from ledger.domain.resident_id import make_resident_id
from ledger.domain.uscc import make_uscc
from ledger.generator.city import reference_date
from ledger.generator.demo import DEMO_SEED, load_demo_if_empty
from ledger.identity import identify
from ledger.runtime import Runtime
from ledger.settings import DEV_PSEUDONYM_KEY, Settings
from tests import calls
from tests.repair_story import COURT, MARKET, OFFICER, POLICY, City, Clock

TODAY = reference_date(DEMO_SEED)  # the demo city's today: its records are all recent
ACME = "91110000600037341L"
ACME_NAME = "盘锦示例化工有限公司"
MARKET_NAME = "盘锦市示例监管局"  # an authority the catalogue lacks, registered as a subject
PERSON_ID = make_resident_id("211102", date(1985, 3, 14), "027")
PERSON = identify(PERSON_ID, "natural_person", DEV_PSEUDONYM_KEY.encode())
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


@dataclass
class Portal:
    client: TestClient
    runtime: Runtime
    city: City
    later: str  # ACME's general penalty: repairable from 2026-11-03
    never: str  # ACME's penalty for illegal fund-raising: not repairable
    case_id: str  # ACME's accepted repair case

    def html(self, path: str, status: int = 200, **params: str) -> str:
        r = self.client.get(path, params=params, follow_redirects=False)
        assert r.status_code == status, (path, r.status_code, r.text[:500])
        assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
        assert '<html lang="zh-CN">' in r.text
        assert not EXTERNAL.search(r.text), f"{path} loads something from another host"
        return r.text


def story(city: City) -> tuple[str, str, str]:
    """ACME's record, the person, MARKET as a registered subject; (later, never, case id)."""
    # A department's USCC (11...) is a government body's (ledger.domain.uscc.kind_of_uscc).
    calls.register(city.ledger, code=MARKET, name=MARKET_NAME, kind="government_body",
                   masked=None, authority=MARKET, actor="clerk-1", registered_on=date(2015, 1, 1))
    city.register(ACME, name=ACME_NAME)
    calls.register(city.ledger, code=PERSON.code, name="李四", kind="natural_person",
                   masked=PERSON.masked, authority=MARKET, actor="clerk-1",
                   registered_on=date(2020, 5, 6))
    later = city.penalty(ACME, date(2026, 8, 3), severity="general", domain="price")
    never = city.penalty(ACME, date(2026, 5, 6), severity="serious", domain="finance",
                         violation_type="illegal_fund_raising")
    city.listing(ACME, "black", date(2026, 6, 1), domain="tax", authority=COURT)
    for n in range(3):  # key-attention members enough for pages of two
        code = city.register(make_uscc("9", "1", "211100", f"MA0K{n:04d}"),
                             name=f"盘锦关注{n}号商贸有限公司")
        city.listing(code, "key_attention", date(2026, 7, 1 + n), domain="price",
                     authority=COURT)
    repairable = city.penalty(ACME, date(2026, 4, 15), severity="general", domain="price")
    commitment = city.commitment(ACME, date(2026, 10, 9))
    _, case = calls.apply(city.ledger, subject=ACME, target=repairable,
                          applied_on=date(2026, 10, 12), obligations_performed=True,
                          commitment_id=commitment, by=OFFICER, policy=POLICY)
    calls.accept(city.ledger, str(case.id), on=date(2026, 10, 13), by=By(COURT, "officer-9"),
                 policy=POLICY)
    return later, never, str(case.id)


def caught_up(client: TestClient, runtime: Runtime, timeout: float = 120.0) -> None:
    head, deadline = runtime.ledger.head_position(), time.monotonic() + timeout
    while client.get("/v1/lists/black", params={"min_position": head}).status_code != 200:
        assert time.monotonic() < deadline, "the views did not catch up"


def serve_portal(database_url: str, app_name: str) -> Iterator[Portal]:
    settings = Settings(database_url=database_url, app_name=app_name, env="test",
                        demo_subjects=40)
    runtime = bootstrap(settings, background=True, relay=False, clock=Clock(TODAY))
    load_demo_if_empty(runtime)
    city = City(runtime.ledger, Clock(TODAY))
    later, never, case_id = story(city)
    with TestClient(create_app(runtime)) as client:
        caught_up(client, runtime)
        yield Portal(client, runtime, city, later, never, case_id)


def csv_rows(response: httpx.Response) -> list[list[str]]:
    """A CSV answer's rows (header first), checking it is UTF-8 with a BOM."""
    import csv
    import io

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def tokens_file(tmp: Path) -> Path:
    path = tmp / "tokens.json"
    path.write_text(json.dumps({"tok-market": {"role": "provider", "authority": MARKET}}))
    return path
