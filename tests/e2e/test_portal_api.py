"""What the portal adds to the API and to privacy, over SQLite and PostgreSQL: Chinese labels
beside every code and authorities by name; a person's own lookup POSTed, never in a URL, a
page or a log; and /docs that needs no other host.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.portal_story import (
    ACME,
    EXTERNAL,
    MARKET,
    MARKET_NAME,
    PERSON,
    PERSON_ID,
    Portal,
    serve_portal,
)
from tests.repair_story import COURT

CATALOGUED = "盘锦市市场监督管理局"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[Portal]:
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('labels')) / 'ledger.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    yield from serve_portal(url, "L" + uuid.uuid4().hex[:12])


def test_the_profile_carries_labels_beside_its_codes(portal: Portal) -> None:
    profile = portal.client.get(f"/v1/subjects/{ACME}").json()
    assert profile["kind"] == "enterprise" and profile["kind_label"] == "企业"
    # MARKET is not in the catalogue: its registered name stands in.
    assert profile["authority"] == MARKET and profile["authority_name"] == MARKET_NAME
    penalty = next(p for p in profile["penalties"] if p["domain"] == "price")
    assert (penalty["severity_label"], penalty["domain_label"]) == ("一般", "价格")
    assert penalty["authority_name"] == MARKET_NAME
    listing = profile["lists"][0]
    assert (listing["list_label"], listing["domain_label"]) == ("黑名单", "税务")
    assert listing["authority"] == COURT and listing["authority_name"] is None  # unknown
    commitment = profile["commitments"][0]
    assert (commitment["type_label"], commitment["status_label"]) == ("信用修复型", "已作出")
    # A demo subject's records name catalogue authorities by the catalogue's names.
    black = portal.client.get("/v1/lists/key_attention", params={"page_size": 100}).json()
    assert {i["list_label"] for i in black["items"]} == {"重点关注名单"}
    demo = portal.client.get("/v1/publicity/timeliness").json()["items"]
    names = {i["authority"]: i["authority_name"] for i in demo}
    assert CATALOGUED in names.values()
    assert all(v["kind_label"] in ("行政许可", "行政处罚")
               for i in demo for v in i["by_kind"].values())


def test_scores_ratios_and_indicators_are_labelled(portal: Portal) -> None:
    score = portal.client.get(f"/v1/subjects/{ACME}/score").json()
    assert score["grade_label"].startswith(score["grade"])
    rules = {line["rule"]: line["rule_label"] for line in score["explanation"]}
    assert rules["E-PEN-GENERAL"] == "一般行政处罚" and rules["BASE"] == "基础分"
    ratios = portal.client.get("/v1/ratios/repair").json()
    assert all(d["domain_label"] for d in ratios["domains"])
    card = portal.client.get("/v1/indicators").json()["indicators"]
    titles = {i["id"]: i["title_label"] for i in card}
    assert titles["publicity_timeliness"] == "行政许可和行政处罚7个工作日内公示率"


def test_a_person_finds_their_record_by_a_posted_id_number(
        portal: Portal, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    form = portal.client.get("/lookup")
    assert 'method="post"' in form.text and 'name="id_number"' in form.text
    r = portal.client.post("/lookup", data={"id_number": PERSON_ID.lower()},
                           follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/subjects/{PERSON.code}"
    assert r.headers["cache-control"] == "no-store"
    page = portal.html(r.headers["location"])
    assert "李四" in page and PERSON.masked in page
    # A mistyped number and an unknown one: the form again, saying why, never repeating it.
    wrong = PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1")
    bad = portal.client.post("/lookup", data={"id_number": wrong})
    assert bad.status_code == 422 and "格式不正确" in bad.text
    unknown = "11010519491231002X"
    missing = portal.client.post("/lookup", data={"id_number": unknown})
    assert missing.status_code == 404 and "未找到" in missing.text
    # A number typed into the search box is neither searched nor shown back.
    searched = portal.client.get("/search", params={"q": PERSON_ID})
    assert 'id="id-number-notice"' in searched.text
    # Nor in any other field a page shows back (its links, its form values).
    echoed = [portal.client.get(path, params=params) for path, params in (
        ("/publicity", {"authority": PERSON_ID}), ("/authorities", {"authority": PERSON_ID}),
        ("/repair", {"case": PERSON_ID, "subject": PERSON_ID}),
        (f"/subjects/{PERSON_ID}", {}))]
    for answer in (r, bad, missing, searched, *echoed):
        for number in (PERSON_ID, wrong, unknown):
            assert number not in answer.text and number not in str(answer.headers)
    # The server's side: httpx's records are this test's client, which put one in a URL.
    logged = "\n".join(rec.getMessage() for rec in caplog.records if rec.name != "httpx")
    for number in (PERSON_ID, wrong, unknown):  # our own logs (uvicorn's: test_portal_serve)
        assert number not in logged


def test_docs_are_served_whole_by_the_app(portal: Portal) -> None:
    for path in ("/docs", "/redoc"):
        html = portal.client.get(path).text
        assert not EXTERNAL.search(html) and "cdn" not in html.lower(), path
        assets = re.findall(r'(?:src|href)="(/static/docs/[^"]+)"', html)
        assert assets, path
        for asset in assets:
            assert portal.client.get(asset).status_code == 200, asset
    swagger = portal.client.get("/static/docs/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.', swagger)
    assert version and int(version.group(1)) >= 5  # Swagger UI 5 renders OpenAPI 3.1
    assert portal.client.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert '"validatorUrl": null' in portal.client.get("/docs").text
    # The pages are not operations of the API.
    paths = portal.client.get("/openapi.json").json()["paths"]
    assert not {"/", "/search", "/lookup", "/docs"} & set(paths)
