"""Input the stores cannot hold, or dates outside the ledger's range, are refused at the edge.

A provider's text with a NUL, a control character or a bidi override; a date before 1949-10-01
or after 2099-12-31 in a body or a query parameter; a NUL anywhere in the URL: each is a 422
problem naming the field and the rule, and nothing is stored. And an event that holds a NUL
anyway (recorded behind the API's back) does not stop the PostgreSQL views.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings
from tests.calls import register

TAX = make_uscc("1", "1", "211100", "00001312")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
OTHER = make_uscc("9", "1", "211100", "MA0T4Q2X")
TOKENS = {"tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
          "tok-audit": {"role": "auditor", "authority": TAX}}
AUTH = {"Authorization": "Bearer tok-tax"}
PENALTY = {"decision_no": "盘税罚〔2026〕1号", "severity": "general", "domain": "tax",
           "decided_on": "2026-03-02", "published_on": "2026-03-04", "category": "罚款",
           "basis": "《税收征收管理法》第六十条"}


def serve(tmp_path: Path, database_url: str, name: str) -> Iterator[TestClient]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=name, tokens_file=tokens,
                        env="test")
    runtime = bootstrap(settings, background=True, project=True,
                        clock=lambda: date(2026, 6, 1))
    with TestClient(create_app(runtime)) as client:
        yield client


@pytest.fixture
def client(tmp_path: Path, unique_name: str) -> Iterator[TestClient]:
    yield from serve(tmp_path, f"sqlite:///{tmp_path / 'ledger.sqlite3'}", unique_name)


def refused(r: httpx.Response, field: str, rule: str) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    found = [e for e in r.json()["errors"] if e["field"] == field]
    assert found and found[0]["rule"] == rule, r.json()
    return dict(found[0])


def head(client: TestClient) -> int:
    return int(client.get("/readyz").json()["checks"]["store"]["head_position"])


def test_text_no_store_can_hold_is_refused_naming_the_field_and_nothing_is_stored(
        client: TestClient) -> None:
    before = head(client)
    # A NUL in a name, where PostgreSQL would have stopped every view.
    r = client.post("/v1/subjects", json={"code": ACME, "name": "甲\u0000乙",
                                          "kind": "enterprise"}, headers=AUTH)
    assert "U+0000" in refused(r, "name", "control_character")["message"]  # the rule, not the name
    # A right-to-left override that would show a name as another.
    r = client.post("/v1/subjects", json={"code": ACME, "name": "盘锦\u202e司公限有",
                                          "kind": "enterprise"}, headers=AUTH)
    refused(r, "name", "bidi_control")
    # A name is one line.
    r = client.post("/v1/subjects", json={"code": ACME, "name": "盘锦\n某某",
                                          "kind": "enterprise"}, headers=AUTH)
    refused(r, "name", "control_character")
    assert head(client) == before
    # A long text keeps its lines and tabs (and Windows' CR LF), but not a bell.
    assert client.post("/v1/subjects", json={"code": ACME, "name": "盘锦某某有限公司",
                                             "kind": "enterprise"}, headers=AUTH).status_code \
        == 201
    r = client.post(f"/v1/subjects/{ACME}/penalties", headers=AUTH,
                    json=PENALTY | {"facts": "第一条\u0007"})
    refused(r, "facts", "control_character")
    r = client.post(f"/v1/subjects/{ACME}/penalties", headers=AUTH,
                    json=PENALTY | {"facts": "第一条\r\n\t第二条\n"})
    assert r.status_code == 201, r.text


def test_dates_outside_the_ledger_range_are_422_in_bodies_and_every_query(
        client: TestClient) -> None:
    r = client.post("/v1/subjects", json={"code": ACME, "name": "盘锦某某有限公司",
                                          "kind": "enterprise"}, headers=AUTH)
    position = r.json()["position"]
    for field, day in (("decided_on", "0001-06-01"), ("published_on", "9999-12-31"),
                       ("decided_on", "1949-09-30")):
        r = client.post(f"/v1/subjects/{ACME}/penalties", headers=AUTH,
                        json=PENALTY | {field: day})
        assert "1949-10-01 to 2099-12-31" in refused(r, field, "date_range")["message"]
    client.get(f"/v1/subjects/{ACME}", params={"min_position": position})
    for path in ("/v1/indicators", "/v1/lists/black", "/v1/ratios/repair",
                 "/v1/publicity/timeliness", f"/v1/subjects/{ACME}/score"):
        for day in ("0001-06-01", "2100-01-01"):
            refused(client.get(path, params={"as_of": day}), "as_of", "date_range")
        # The range's own ends are fine.
        assert client.get(path, params={"as_of": "1949-10-01"}).status_code in (200, 404)
        assert client.get(path, params={"as_of": "2099-12-31"}).status_code in (200, 404)
    audit = {"Authorization": "Bearer tok-audit"}
    r = client.get(f"/v1/audit/subjects/{ACME}/state", params={"effective": "0001-06-01"},
                   headers=audit)
    refused(r, "effective", "date_range")
    r = client.get(f"/v1/audit/subjects/{ACME}/state", params={"as_of": "9999-12-31T23:00-01:00"},
                   headers=audit)
    assert r.status_code == 422 and "as_of" in r.json()["detail"]


def test_a_nul_anywhere_in_the_url_is_422(client: TestClient) -> None:
    refused(client.get("/v1/subjects", params={"q": "甲\u0000"}), "q", "control_character")
    refused(client.get("/v1/subjects/%00"), "path", "control_character")
    refused(client.get("/v1/publicity/timeliness", params={"authority": "\u0000"}),
            "authority", "control_character")


@pytest.mark.postgres
def test_a_stored_nul_does_not_stop_the_postgresql_views(
        tmp_path: Path, unique_name: str, pg_url: str) -> None:
    for client in serve(tmp_path, pg_url, unique_name):
        ledger = client.app.state.runtime.ledger  # type: ignore[attr-defined]
        # An event with a NUL recorded behind the API's back (say, before its text rules).
        register(ledger, code=ACME, name="甲\u0000乙", kind="enterprise", masked=None,
                        authority=TAX, actor="legacy")
        # Later writes still become visible, and the NUL shows as U+FFFD.
        r = client.post("/v1/subjects", json={"code": OTHER, "name": "盘锦某某有限公司",
                                              "kind": "enterprise"}, headers=AUTH)
        later = client.get(f"/v1/subjects/{OTHER}", params={"min_position": r.json()["position"]})
        assert later.status_code == 200, later.text
        assert client.get(f"/v1/subjects/{ACME}").json()["name"] == "甲\ufffd乙"
        assert client.get("/v1/subjects", params={"q": "乙"}).json()["total"] == 1
        deadline = time.monotonic() + 10
        while not client.get("/readyz").json()["ready"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/readyz").json()["ready"] is True
