"""Credit reports over HTTP: the PDF a company downloads, and anyone verifying its code later.

The report is cut at the ledger's head and read on the ledger's today; its code carries the
subject, the position, the day and a digest, and verification cuts it again with the as-of
replay. Later records do not void a code; a code changed by one character, or one with a
digest the ledger never made, is refused, never answered with a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.checkpoints import checkpointer_for
from ledger.domain.report_code import ReportCode, parse
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings
from tests.pdf_text import pdf_text

TODAY = date(2026, 6, 1)
TAX = make_uscc("1", "1", "211100", "00001312")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
PERSON_ID = "11010519491231002X"
TOKENS = {"tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"}}
PENALTY = {"decision_no": "盘税罚〔2026〕1号", "severity": "general", "domain": "tax",
           "decided_on": "2026-03-02", "published_on": "2026-03-04", "category": "罚款",
           "basis": "《税收征收管理法》第六十条", "fine_amount": "5000.00"}
LISTING = {"list": "black", "domain": "tax", "basis": "重大税收违法失信案件",
           "notified_on": "2026-03-20", "listed_on": "2026-04-01", "expires_on": "2029-04-01"}


@dataclass
class Api:
    client: TestClient
    runtime: Any

    def write(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.client.post(path, json=body, headers={"Authorization": "Bearer tok-tax"})
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    def report(self, code: str) -> httpx.Response:
        r = self.client.get(f"/v1/subjects/{code}/report.pdf")
        assert r.status_code == 200, r.text
        return r

    def verify(self, code: str) -> httpx.Response:
        return self.client.get("/v1/reports/verify", params={"code": code})


def make_api(tmp_path: Path, url: str, name: str, **settings: Any) -> Iterator[Api]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    runtime = bootstrap(Settings(database_url=url, app_name=name, tokens_file=tokens,
                                 env="test", **settings),
                        background=True, clock=lambda: TODAY)
    with TestClient(create_app(runtime)) as client:
        yield Api(client, runtime)


@pytest.fixture
def api(tmp_path: Path, database_url: str, unique_name: str) -> Iterator[Api]:
    yield from make_api(tmp_path, database_url, unique_name)


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return dict(r.json())


def test_a_report_reads_in_chinese_and_its_code_is_confirmed_after_later_records(
        api: Api) -> None:
    # A company is fined and black-listed by the tax bureau, then downloads its report.
    api.write("/v1/subjects", {"code": ACME, "name": "盘锦某某化工有限公司", "kind": "enterprise"})
    api.write(f"/v1/subjects/{ACME}/penalties", PENALTY)
    head = api.write(f"/v1/subjects/{ACME}/listings", LISTING)["position"]
    r = api.report(ACME)
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    code = parse(r.headers["X-Report-Code"])
    assert (code.subject, code.position, code.day) == (ACME, head, TODAY)

    # What a reader copies out of it: Chinese words, not codes, and the stamp.
    text = pdf_text(r.content)
    score = api.client.get(f"/v1/subjects/{ACME}/score",
                           params={"min_position": head}).json()["score"]  # as the API says
    flat = "".join(text.split())  # the layout's spacing aside
    for words in ("信用报告", "盘锦某某化工有限公司", ACME, "盘税罚〔2026〕1号", "严重程度一般",
                  "领域税务", "名单黑名单", "重大税收违法失信案件", f"评分{score}分",
                  "一般行政处罚", f"验证码{code.grouped()}", f"账本位置{head}",
                  f"信息日期{TODAY.isoformat()}"):
        assert words in flat, words
    assert "general" not in text and "E-PEN-GENERAL" not in text

    # Anyone with the code sees what the report contained.
    first = api.verify(code.text())
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["confirmed"] and body["position"] == head
    assert body["report"]["subject"]["name"] == "盘锦某某化工有限公司"
    assert [p["decision_no"] for p in body["report"]["penalties"]] == ["盘税罚〔2026〕1号"]
    assert body["report"]["score"]["score"] == score
    assert body["checkpoint"] is None  # nothing signed yet

    # A second fine later: the old code still says what was true at its position ...
    api.write(f"/v1/subjects/{ACME}/penalties", PENALTY | {"decision_no": "盘税罚〔2026〕2号",
                                                          "decided_on": "2026-05-02",
                                                          "published_on": "2026-05-06"})
    again = api.verify(code.grouped().lower())
    assert again.status_code == 200, again.text
    assert again.json()["report"] == body["report"]
    # ... and a new report says more, under a new code.
    newer = api.report(ACME)
    assert newer.headers["X-Report-Code"] != code.text()
    assert "盘税罚〔2026〕2号" in pdf_text(newer.content)

    # Once a checkpoint is signed, the verification names the one covering the report.
    checkpointer_for(api.runtime).record(force=True)
    covered = api.verify(code.text()).json()["checkpoint"]
    assert covered["believed"] and covered["position"] >= head
    assert len(covered["key_id"]) == 64


def test_codes_not_made_by_the_ledger_are_refused_never_a_500(api: Api) -> None:
    api.write("/v1/subjects", {"code": ACME, "name": "盘锦某某化工有限公司", "kind": "enterprise"})
    real = parse(api.report(ACME).headers["X-Report-Code"])
    text = real.text()

    # Mistyped, cut short, or not a code at all: 422 naming the field and the rule.
    typo = text[:10] + ("A" if text[10] != "A" else "B") + text[11:]
    for bad in (typo, text[:-4], text + "AAAA", "hello", "1234", "Ü" * 10, " ", "A" * 80):
        found = problem(api.verify(bad), 422)
        assert found["errors"][0]["field"] == "code"
        assert found["errors"][0]["rule"] in ("report_code", "string_too_short")
    # Well formed but not confirmed: other content, a position the ledger has not reached, a
    # day to come, a subject it never knew. 404, and nothing of the record in the answer.
    for forged in (ReportCode(ACME, real.position, real.day, bytes(8)),
                   ReportCode(ACME, real.position + 100, real.day, real.digest),
                   ReportCode(ACME, real.position, TODAY + timedelta(days=1), real.digest),
                   ReportCode(make_uscc("9", "1", "211100", "MA0T4Q2X"), real.position,
                              real.day, real.digest)):
        found = problem(api.verify(forged.text()), 404)
        assert "盘锦某某化工有限公司" not in json.dumps(found, ensure_ascii=False)
    # The page for people says the same, as pages.
    page = api.client.get("/reports/verify", params={"code": typo})
    assert page.status_code == 422 and 'data-verdict="refused"' in page.text
    page = api.client.get("/reports/verify", params={"code": forged.text()})
    assert page.status_code == 404 and "盘锦某某化工有限公司" not in page.text
    page = api.client.get("/reports/verify", params={"code": text})
    assert page.status_code == 200 and 'data-verdict="confirmed"' in page.text
    assert api.client.get("/reports/verify").status_code == 200  # the empty form
    page = api.client.get("/reports/verify", params={"code": '"><script>alert(1)</script>'})
    assert page.status_code == 422 and "<script>alert" not in page.text  # echoed, escaped
    # A report of a subject the ledger does not know is a 404 problem.
    problem(api.client.get("/v1/subjects/91211100MA0T4Q9X0X/report.pdf"), 404)


def test_a_persons_report_shows_the_masked_number_only(api: Api) -> None:
    person = api.write("/v1/subjects", {"code": PERSON_ID, "name": "王五",
                                        "kind": "natural_person"})["subject"]
    r = api.report(person)
    text = pdf_text(r.content)
    assert "王五" in text and "110**************X" in text and person in text
    assert parse(r.headers["X-Report-Code"]).subject == person
    verified = api.verify(r.headers["X-Report-Code"])
    for answer in (text, r.headers["X-Report-Code"], verified.text,
                   api.client.get("/reports/verify",
                                  params={"code": r.headers["X-Report-Code"]}).text):
        assert PERSON_ID not in answer and PERSON_ID[6:14] not in answer


def test_without_a_cjk_font_the_report_says_what_to_install(tmp_path: Path,
                                                            unique_name: str) -> None:
    missing = tmp_path / "no-such-font.ttf"
    for api in make_api(tmp_path, f"sqlite:///{tmp_path / 'l.sqlite3'}", unique_name,
                        report_font=missing):
        api.write("/v1/subjects", {"code": ACME, "name": "盘锦某某化工有限公司",
                                   "kind": "enterprise"})
        found = problem(api.client.get(f"/v1/subjects/{ACME}/report.pdf"), 503)
        assert "LEDGER_REPORT_FONT" in found["detail"] and str(missing) in found["detail"]
