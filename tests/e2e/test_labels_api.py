"""A department's clerk writes the Chinese words the forms use (流通, 黑名单, 一般, 企业) in API
bodies: they are read as the codes; a word that is neither is 422 naming the field and every
choice, and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.runtime import Runtime
from ledger.settings import Settings

TODAY = date(2026, 12, 7)
MARKET = "11211100012345671L"
DELONG = "91211103MA0TPL015B"
AUTH = {"Authorization": "Bearer tok-market"}


@pytest.fixture
def served(sqlite_url: str, unique_name: str, tmp_path: Path
           ) -> Iterator[tuple[TestClient, Runtime]]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tok-market": {"role": "provider", "authority": MARKET}}))
    settings = Settings(database_url=sqlite_url, app_name=unique_name, tokens_file=tokens)
    runtime = bootstrap(settings, clock=lambda: TODAY, relay=False)
    with TestClient(create_app(runtime)) as client:
        yield client, runtime


def test_labels_are_read_as_codes_in_api_bodies(served: tuple[TestClient, Runtime]) -> None:
    client, runtime = served
    made = client.post("/v1/subjects", headers=AUTH, json={
        "code": DELONG, "name": "盘锦德隆商贸有限公司", "kind": "企业"})
    assert made.status_code == 201, made.text
    fined = client.post(f"/v1/subjects/{DELONG}/penalties", headers=AUTH, json={
        "decision_no": "盘市监罚〔2026〕101号", "severity": "一般", "domain": "流通",
        "decided_on": "2026-11-02", "published_on": "2026-11-04", "category": "罚款",
        "basis": "《价格法》第四十二条"})
    assert fined.status_code == 201, fined.text
    listed = client.post(f"/v1/subjects/{DELONG}/listings", headers=AUTH, json={
        "list": "重点关注名单", "domain": "价格", "basis": "多次价格违法",
        "notified_on": "2026-11-09", "listed_on": "2026-11-23", "expires_on": "2028-11-23"})
    assert listed.status_code == 201, listed.text

    profile = client.get(f"/v1/subjects/{DELONG}",
                         params={"min_position": listed.json()["position"]}).json()
    assert profile["kind"] == "enterprise"
    [penalty] = profile["penalties"]
    assert (penalty["severity"], penalty["domain"]) == ("general", "circulation")
    [listing] = profile["lists"]
    assert (listing["list"], listing["domain"]) == ("key_attention", "price")
    # Resubmitting the same penalty in codes is the same record: one event, same answer.
    again = client.post(f"/v1/subjects/{DELONG}/penalties", headers=AUTH, json={
        "decision_no": "盘市监罚〔2026〕101号", "severity": "general", "domain": "circulation",
        "decided_on": "2026-11-02", "published_on": "2026-11-04", "category": "罚款",
        "basis": "《价格法》第四十二条"})
    assert again.status_code == 200 and again.json()["position"] == fined.json()["position"]
    assert runtime.ledger.head_position() == listed.json()["position"]


def test_an_unknown_word_is_422_naming_the_field_and_the_choices(
    served: tuple[TestClient, Runtime],
) -> None:
    client, runtime = served
    refused = client.post("/v1/subjects", headers=AUTH, json={
        "code": DELONG, "name": "盘锦德隆商贸有限公司", "kind": "公司"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    [error] = refused.json()["errors"]
    assert (error["field"], error["rule"]) == ("kind", "enum")
    assert "'公司' is not one of: enterprise (企业), individual_business (个体工商户)" in \
        error["message"]
    client.post("/v1/subjects", headers=AUTH, json={
        "code": DELONG, "name": "盘锦德隆商贸有限公司", "kind": "enterprise"})
    before = runtime.ledger.head_position()
    refused = client.post(f"/v1/subjects/{DELONG}/listings", headers=AUTH, json={
        "list": "灰名单", "domain": "流通", "basis": "b", "notified_on": "2026-11-09",
        "listed_on": "2026-11-23", "expires_on": "2028-11-23"})
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "list"
    assert "red (红名单), black (黑名单), key_attention (重点关注名单)" in error["message"]
    assert runtime.ledger.head_position() == before
