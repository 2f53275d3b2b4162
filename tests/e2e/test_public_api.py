"""The public reads over HTTP in embedded mode: profiles, search, lists, read-your-writes.

Writes go through the provider API; reads pass the position a write returned and see it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

TODAY = date(2026, 6, 1)
TAX = make_uscc("1", "1", "211100", "00001312")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
PERSON_ID = "11010519491231002X"
TOKENS = {"tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
          "tok-admin": {"role": "admin", "authority": TAX}}
PENALTY = {"decision_no": "盘税罚〔2026〕1号", "severity": "general", "domain": "tax",
           "decided_on": "2026-03-02", "published_on": "2026-03-04", "category": "罚款",
           "basis": "《税收征收管理法》第六十条", "fine_amount": "5000.00"}


@dataclass
class Api:
    client: TestClient

    def write(self, path: str, body: dict[str, Any]) -> int:
        r = self.client.post(path, json=body, headers={"Authorization": "Bearer tok-tax"})
        assert r.status_code in (200, 201), r.text
        return int(r.json()["position"])

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params)


def make_api(tmp_path: Path, name: str, *, project: bool) -> Iterator[Api]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}", app_name=name,
                        tokens_file=tokens, env="test")
    runtime = bootstrap(settings, background=True, project=project, clock=lambda: TODAY)
    with TestClient(create_app(runtime)) as client:
        yield Api(client)


@pytest.fixture
def api(tmp_path: Path, unique_name: str) -> Iterator[Api]:
    yield from make_api(tmp_path, unique_name, project=True)


def test_a_reader_passing_the_write_position_sees_the_write(api: Api) -> None:
    api.write("/v1/subjects", {"code": ACME, "name": "盘锦某某化工有限公司", "kind": "enterprise"})
    position = api.write(f"/v1/subjects/{ACME}/penalties", PENALTY)
    r = api.get(f"/v1/subjects/{ACME}", min_position=position)
    assert r.status_code == 200, r.text
    profile = r.json()
    assert profile["name"] == "盘锦某某化工有限公司"
    assert [p["decision_no"] for p in profile["penalties"]] == ["盘税罚〔2026〕1号"]
    assert profile["penalties"][0]["details"]["fine_amount"] == "5000.00"
    # Codes are accepted in lower case too, as everywhere else in the API.
    assert api.get(f"/v1/subjects/{ACME.lower()}").json()["code"] == ACME


def test_a_person_is_shown_masked_and_the_number_never_leaves(api: Api) -> None:
    r = api.client.post("/v1/subjects", json={"code": PERSON_ID, "name": "王五",
                                              "kind": "natural_person"},
                        headers={"Authorization": "Bearer tok-tax"})
    code, position = r.json()["subject"], r.json()["position"]
    profile = api.get(f"/v1/subjects/{code}", min_position=position)
    found = api.get("/v1/subjects", q="王", min_position=position)
    assert profile.json()["masked"] == "110**************X"
    assert [s["code"] for s in found.json()["items"]] == [code]
    for response in (profile, found):
        assert PERSON_ID not in response.text and PERSON_ID[6:14] not in response.text


def test_lists_answer_for_today_and_past_days_one_bounded_page_at_a_time(api: Api) -> None:
    for i in range(3):
        code = make_uscc("9", "1", "211100", f"MA0T4R{i}X")
        api.write("/v1/subjects", {"code": code, "name": f"Firm {i}", "kind": "enterprise"})
        position = api.write(f"/v1/subjects/{code}/listings", {
            "list": "black", "domain": "tax", "basis": "重大税收违法", "notified_on": "2025-04-20",
            "listed_on": f"2025-05-0{i + 1}", "expires_on": "2026-05-02"})
    today = api.get("/v1/lists/black", min_position=position)
    assert today.json()["total"] == 0  # every listing has expired by 2026-06-01
    past = api.get("/v1/lists/black", as_of="2025-05-02", domain="tax", page_size=1, page=2)
    body = past.json()
    assert (body["total"], body["page"], body["page_size"]) == (2, 2, 1)
    assert [m["name"] for m in body["items"]] == ["Firm 1"]


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return dict(r.json())


def test_unknown_codes_are_404_and_bad_parameters_422(api: Api) -> None:
    api.write("/v1/subjects", {"code": ACME, "name": "Acme", "kind": "enterprise"})
    problem(api.get("/v1/subjects/91000000000000000X"), 404)
    for path, params in [("/v1/lists/grey", {}), ("/v1/lists/red", {"page_size": 101}),
                         ("/v1/lists/red", {"page": 0}), ("/v1/lists/red", {"as_of": "June"}),
                         ("/v1/lists/red", {"domain": "astrology"}), ("/v1/subjects", {}),
                         ("/v1/subjects", {"q": "a", "page_size": 1000}),
                         (f"/v1/subjects/{ACME}", {"min_position": -1})]:
        problem(api.get(path, **params), 422)


def test_a_position_the_views_have_not_reached_is_503_with_retry_after(
        tmp_path: Path, unique_name: str) -> None:
    # No runner in this process: the views never reach the write.
    for stale in make_api(tmp_path, unique_name, project=False):
        # Views never built: every read says so and when to come back.
        not_built = stale.get("/v1/lists/red")
        assert problem(not_built, 503)["detail"].endswith("not built yet")
        assert not_built.headers["retry-after"] == "1"
        position = stale.write("/v1/subjects", {"code": ACME, "name": "Acme",
                                                "kind": "enterprise"})
        started = time.monotonic()
        body = problem(stale.get(f"/v1/subjects/{ACME}", min_position=position), 503)
        waited = time.monotonic() - started
        assert "position" in body["detail"] and waited >= 1.9
        r = stale.get(f"/v1/subjects/{ACME}", min_position=position)
        assert r.headers["retry-after"] == "1"


def test_an_admin_rebuild_runs_in_the_background_and_keeps_serving(api: Api) -> None:
    position = api.write("/v1/subjects", {"code": ACME, "name": "Acme", "kind": "enterprise"})
    api.get(f"/v1/subjects/{ACME}", min_position=position)
    admin = {"Authorization": "Bearer tok-admin"}
    assert api.client.post("/v1/admin/projections/all/rebuild").status_code == 401
    assert api.client.post("/v1/admin/projections/all/rebuild",
                           headers={"Authorization": "Bearer tok-tax"}).status_code == 403
    problem(api.client.post("/v1/admin/projections/nope/rebuild", headers=admin), 404)
    started = api.client.post("/v1/admin/projections/profiles/rebuild", headers=admin)
    assert started.status_code == 202
    status_url = started.json()["status_url"]
    assert started.headers["location"] == status_url
    deadline = time.monotonic() + 30
    while (job := api.client.get(status_url, headers=admin).json())["state"] == "running":
        assert api.get(f"/v1/subjects/{ACME}").status_code == 200  # the old tables serve
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["state"] == "done" and job["events"] == 1 and job["events_per_s"] > 0
    assert api.get(f"/v1/subjects/{ACME}").json()["name"] == "Acme"


@pytest.mark.postgres
def test_many_concurrent_readers_on_a_small_pool_all_get_answers(
        pg_url: str, unique_name: str) -> None:
    # More requests in flight than threads and connections together (40 + 2).
    settings = Settings(database_url=pg_url, app_name=unique_name, env="test", pool_size=2)
    runtime = bootstrap(settings, background=True, clock=lambda: TODAY)
    receipt = register(runtime.ledger, code=ACME, name="Acme", kind="enterprise", masked=None,
                                      authority=TAX, actor="clerk")
    with TestClient(create_app(runtime)) as client:
        assert client.get(f"/v1/subjects/{ACME}",
                          params={"min_position": receipt.position}).status_code == 200
        with ThreadPoolExecutor(max_workers=80) as pool:
            statuses = list(pool.map(lambda _: client.get(f"/v1/subjects/{ACME}").status_code,
                                     range(240)))
    assert statuses == [200] * 240
