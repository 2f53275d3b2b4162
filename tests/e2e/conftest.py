"""Fixtures of the department stories: a served ledger (SQLite and PostgreSQL alike) with the
departments' tokens, empty or with ACME registered. A module that defines its own `api` or
`acme` fixture uses that one instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.settings import Settings
from tests.e2e._provider_helpers import ACME, TODAY, TOKENS, Api


@pytest.fixture
def api(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Api]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens)
    runtime = bootstrap(settings, background=False, clock=lambda: TODAY)
    with TestClient(create_app(runtime)) as client:
        yield Api(client, runtime.ledger)


@pytest.fixture
def acme(api: Api) -> Api:
    api.ok("/v1/subjects", {"code": ACME, "name": "北京某某科技有限公司", "kind": "enterprise"})
    return api
