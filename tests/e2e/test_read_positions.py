"""Read-your-writes cannot be turned against the server: `min_position` is bounded.

A position the ledger has not reached is refused at once (422); readers that wait for the views
wait on the event loop, holding no worker thread, and only a few at a time (503 beyond).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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

TAX = make_uscc("1", "1", "211100", "00001312")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
AUTH = {"Authorization": "Bearer tok-tax"}


def client_for(tmp_path: Path, name: str, *, project: bool, waiting: int = 8
               ) -> Iterator[TestClient]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tok-tax": {"role": "provider", "authority": TAX}}))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}", app_name=name,
                        tokens_file=tokens, env="test", max_waiting_readers=waiting)
    runtime = bootstrap(settings, background=True, project=project,
                        clock=lambda: date(2026, 6, 1))
    with TestClient(create_app(runtime)) as client:
        yield client


def register(client: TestClient, code: str) -> int:
    r = client.post("/v1/subjects", json={"code": code, "name": "盘锦某某有限公司",
                                          "kind": "enterprise"}, headers=AUTH)
    assert r.status_code == 201, r.text
    return int(r.json()["position"])


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return dict(r.json())


@pytest.fixture
def client(tmp_path: Path, unique_name: str) -> Iterator[TestClient]:
    yield from client_for(tmp_path, unique_name, project=True)


def test_a_position_beyond_the_head_is_422_at_once_naming_the_head(client: TestClient) -> None:
    head = register(client, ACME)
    for path in (f"/v1/subjects/{ACME}", "/v1/lists/black", "/v1/indicators",
                 "/v1/ratios/repair", f"/v1/subjects/{ACME}/score"):
        started = time.monotonic()
        body = problem(client.get(path, params={"min_position": 999_999_999}), 422)
        assert time.monotonic() - started < 0.5
        [error] = body["errors"]
        assert error["field"] == "min_position" and error["rule"] == "beyond_head"
        assert f"head ({head})" in error["message"]
    # The head itself is a position a reader may wait for, and sees.
    assert client.get(f"/v1/subjects/{ACME}", params={"min_position": head}).status_code == 200


def test_only_a_few_readers_wait_and_writes_stay_fast_meanwhile(
        tmp_path: Path, unique_name: str) -> None:
    # No runner in this process: the views never reach the write, so every reader must wait.
    for stale in client_for(tmp_path, unique_name, project=False, waiting=2):
        position = register(stale, ACME)
        with ThreadPoolExecutor(12) as pool:
            waiting = [pool.submit(stale.get, "/v1/lists/red", params={"min_position": position})
                       for _ in range(10)]
            time.sleep(0.3)
            # Two readers wait; the others were told at once to come back later.
            started = time.monotonic()
            turned_away = problem(stale.get("/v1/indicators",
                                            params={"min_position": position}), 503)
            assert time.monotonic() - started < 0.5
            assert "waiting" in turned_away["detail"]
            # The waiting readers hold no worker thread: a provider's write goes straight in.
            started = time.monotonic()
            register(stale, make_uscc("9", "1", "211100", "MA0T4Q2X"))
            assert time.monotonic() - started < 0.5
            answers = [f.result() for f in waiting]
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [503] * 10
        assert all(r.headers["retry-after"] == "1" for r in answers)
        details = [r.json()["detail"] for r in answers]
        assert sum("not reached position" in d for d in details) == 2
        assert sum("waiting" in d for d in details) == 8
