"""The city of the government-integrity stories (issue 20): its departments and their tokens,
and an HTTP client that reads what it wrote (min_position)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.resident_id import make_resident_id
from ledger.domain.uscc import make_uscc
from ledger.runtime import Runtime
from ledger.settings import Settings
from tests.listing_terms import longest, notice

TODAY = date(2026, 6, 1)
MARKET = make_uscc("1", "1", "211100", "00002345")  # registers and lists companies
TAX = make_uscc("1", "1", "211100", "00001312")
CREDIT = make_uscc("1", "1", "211100", "24680246")  # the credit office
JUSTICE = make_uscc("1", "1", "211100", "22222225")
PERSONNEL = make_uscc("1", "1", "211100", "23456781")  # the organisation department
BUREAU = make_uscc("1", "1", "211103", "00007771")  # a government body of a district
SCHOOL = make_uscc("1", "2", "211103", "00007772")  # a public institution
ACME = make_uscc("9", "1", "211103", "MA0T4Q1X")
BETA = make_uscc("9", "1", "211103", "MA0T4Q2X")
LAW_FIRM = make_uscc("3", "1", "211103", "00007773")
CLERK = make_resident_id("211103", date(1985, 4, 12), "031")  # a civil servant
OFFICIAL = make_resident_id("211102", date(1979, 9, 3), "112")  # another, who runs a company
LAWYER = make_resident_id("211104", date(1990, 1, 20), "257")
NOTARY = make_resident_id("211122", date(1975, 7, 8), "318")
TOKENS = {
    "tok-market": {"role": "provider", "authority": MARKET, "actor": "market-clerk"},
    "tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
    "tok-credit": {"role": "provider", "authority": CREDIT, "actor": "credit-clerk"},
    "tok-justice": {"role": "provider", "authority": JUSTICE, "actor": "justice-clerk"},
    "tok-personnel": {"role": "personnel", "authority": PERSONNEL, "actor": "cadre-1"},
    "tok-auditor": {"role": "auditor", "authority": CREDIT, "actor": "auditor-1"},
}


@dataclass
class Api:
    client: TestClient
    runtime: Runtime

    def post(self, path: str, body: dict[str, Any], token: str) -> httpx.Response:
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})

    def write(self, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        r = self.post(path, body, token)
        assert r.status_code in (200, 201), r.text
        found: dict[str, Any] = r.json()
        return found

    def get(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(path, params=params, headers=headers)

    def read(self, path: str, token: str | None = None, **params: Any) -> dict[str, Any]:
        """A read that sees every write made so far."""
        r = self.get(path, token, min_position=self.runtime.ledger.head_position(), **params)
        assert r.status_code == 200, r.text
        found: dict[str, Any] = r.json()
        return found

    def register(self, code: str, name: str, kind: str, token: str = "tok-market",
                 **extra: Any) -> dict[str, Any]:
        return self.write("/v1/subjects", {"code": code, "name": name, "kind": kind} | extra,
                          token)

    def black_list(self, code: str, listed_on: date, domain: str = "judicial",
                   token: str = "tok-market") -> dict[str, Any]:
        return self.write(f"/v1/subjects/{code}/listings", {
            "list": "black", "domain": domain, "basis": "严重失信",
            "notified_on": notice(listed_on).isoformat(), "listed_on": listed_on.isoformat(),
            "expires_on": (longest("black", domain, listed_on)
                           or listed_on + timedelta(days=365)).isoformat(),
            "removal_conditions": "履行义务后移出"}, token)

    def indicators(self, **params: Any) -> dict[str, dict[str, Any]]:
        card = self.read("/v1/indicators", **params)["indicators"]
        return {i["id"]: i for i in card}


def serve(tmp_path: Path, database_url: str, app_name: str) -> Iterator[Api]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=app_name, tokens_file=tokens,
                        env="test", demo=False)
    runtime = bootstrap(settings, background=True, clock=lambda: TODAY)
    with TestClient(create_app(runtime)) as client:
        yield Api(client, runtime)
