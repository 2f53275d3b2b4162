"""The portal as a citizen or a company reads it, on the demo city, over SQLite and PostgreSQL:
every page answers in Chinese, a code goes straight to its subject, lists page and download
as CSV with the same rows, and a subject's page says when each negative record can be repaired.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.portal_story import ACME, ACME_NAME, PERSON, TODAY, Portal, csv_rows, serve_portal


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[Portal]:
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('portal')) / 'ledger.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    yield from serve_portal(url, "P" + uuid.uuid4().hex[:12])


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_page_answers_in_chinese(portal: Portal) -> None:
    pages = {
        "/": ["公共信用信息查询", "今日双公示", "最新名单变动", "本人信用查询"],
        f"/subjects/{ACME}": [ACME_NAME, "信用评价", "行政处罚（公示期内）", "下载信用报告"],
        "/lists/red": ["红名单", "下载 CSV"],
        "/lists/black": ["黑名单", ACME_NAME],
        "/lists/key_attention": ["重点关注名单"],
        "/publicity": ["双公示", "决定机关", "行政处罚"],
        "/authorities": ["各部门双公示及时性", "盘锦市市场监督管理局"],
        "/repair": ["哪些信息可以修复", "需要准备什么", "查询办理进度"],
        "/indicators": ["示范城市创建指标", "行政许可和行政处罚7个工作日内公示率"],
        "/regions": ["区县信用监测排名", "兴隆台区", "盘山县", "平均名次",
                     "行政许可和行政处罚7个工作日内公示率"],
        "/lookup": ["身份证号码", "本人信用查询"],
        "/search": ["查询信用主体"],
    }
    for path, expected in pages.items():
        text = text_of(portal.html(path))
        for words in expected:
            assert words in text, (path, words)
        assert 'id="skip-link"' in portal.html(path) and "<h1" in portal.html(path)
    # An unknown subject or list is a page too, not JSON.
    assert "未找到" in portal.html("/subjects/91110000600037341X", 404)
    assert "三种" in portal.html("/lists/grey", 404)


def test_a_search_by_name_pages_and_a_code_goes_to_its_subject(portal: Portal) -> None:
    found = portal.html("/search", q="盘锦")
    assert re.search(r"共找到 \d+ 个信用主体", text_of(found))
    assert 'id="results"' in found and 'id="pager"' in found
    # A whole USCC, in any case, or a pseudonym: straight to the subject (303).
    for term, code in ((ACME, ACME), (ACME.lower(), ACME), (PERSON.code, PERSON.code)):
        r = portal.client.get("/search", params={"q": term}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/subjects/{code}"
    # The API finds it by code too (it answered total 0 before).
    answer = portal.client.get("/v1/subjects", params={"q": ACME.lower()}).json()
    assert answer["total"] == 1 and answer["items"][0]["code"] == ACME
    assert answer["items"][0]["kind_label"] == "企业"


def test_a_list_pages_and_its_csv_holds_the_same_rows(portal: Portal) -> None:
    whole = csv_rows(portal.client.get("/lists/key_attention", params={"format": "csv"}))
    header, rows = whole[0], whole[1:]
    assert header[:3] == ["主体名称", "统一社会信用代码或编号", "主体类型"]
    assert len(rows) >= 2, "the demo city has key-attention listings"
    # Page by page, two rows each: the same rows in the same order as the CSV.
    shown, page = [], 1
    while True:
        html = portal.html("/lists/key_attention", page=str(page), page_size="2")
        shown += re.findall(r'<tr><td><a href="/subjects/([^"]+)">', html)
        if 'id="pager-next"' not in html:
            break
        page += 1
    assert shown == [row[1] for row in rows] and page == -(-len(rows) // 2)
    # One page as CSV is that page's rows; a domain filter keeps its domain only.
    second = csv_rows(portal.client.get("/lists/key_attention", params={
        "format": "csv", "page": "2", "page_size": "2"}))
    assert second[1:] == rows[2:4]
    black = csv_rows(portal.client.get("/lists/black", params={"format": "csv",
                                                               "domain": "tax"}))
    assert ACME in [r[1] for r in black[1:]] and {r[4] for r in black[1:]} == {"税务"}
    assert "下载 CSV" in portal.html("/lists/black", domain="tax")


def test_publicity_by_authority_and_date_with_its_csv(portal: Portal) -> None:
    market = "11211100012345671L"  # the catalogue's market-regulation bureau
    html = portal.html("/publicity", authority=market, kind="penalty", **{
        "from": "2025-01-01", "to": TODAY.isoformat()})
    rows = csv_rows(portal.client.get("/publicity", params={
        "authority": market, "kind": "penalty", "from": "2025-01-01",
        "to": TODAY.isoformat(), "format": "csv"}))
    assert rows[0][:3] == ["类别", "决定文书号", "行政相对人名称"]
    assert rows[1:] and {r[0] for r in rows[1:]} == {"行政处罚"}
    assert {r[4] for r in rows[1:]} == {"盘锦市市场监督管理局"}
    assert all("2025-01-01" <= r[8] <= TODAY.isoformat() for r in rows[1:])
    assert f"共 {len(rows) - 1} 条" in text_of(html)
    # A malformed date is said so on the page, not a 422.
    assert "不是有效日期" in portal.html("/publicity", **{"from": "2026-13-01"})


def test_the_timeliness_page_names_authorities_and_lists_late_records(portal: Portal) -> None:
    html = portal.html("/authorities")
    late = re.findall(r'authority=([0-9A-Z]{18})#late">[^<]+</a></td>\s*<td class="num">\d+'
                      r'</td><td class="num">\d+</td><td class="num">([1-9]\d*)</td>', html)
    assert late, "the demo city has an authority that published late"
    detail = portal.html("/authorities", authority=late[0][0])
    assert 'id="late-table"' in detail and "逾期公示的记录" in detail


def test_the_subject_page_explains_the_score_and_when_records_can_be_repaired(
        portal: Portal) -> None:
    html = portal.html(f"/subjects/{ACME}")
    text = text_of(html)
    assert "基础分 1000 分" in text and "一般行政处罚：-150 分" in text
    assert "列入黑名单：-400 分" in text
    # The general penalty of 3 August: 3 months' minimum under the 2026 rules.
    row = re.search("<td>" + re.escape(portal.later) + r"</td>.*?</tr>", html, re.S)
    assert row and "自 2026-11-03 起可以申请信用修复" in row.group(0)
    assert 'href="/repair"' in row.group(0)
    # Illegal fund-raising is never repairable; the black listing from 12 months after.
    never = re.search("<td>" + re.escape(portal.never) + r"</td>.*?</tr>", html, re.S)
    assert never and 'data-state="never"' in never.group(0) and "不予修复" in never.group(0)
    black = re.search(r'<span class="tag black">黑名单</span>.*?</tr>', html, re.S)
    assert black and "自 2027-06-01 起可以申请信用修复" in black.group(0)
    assert "认定依据" in text and "pays the tax due" in text  # removal conditions
    assert f'href="/v1/subjects/{ACME}/report.pdf"' in html


def test_a_repair_case_is_shown_only_with_its_subject_code(portal: Portal) -> None:
    shown = portal.html("/repair", case=portal.case_id, subject=ACME.lower())
    assert 'id="case-status" data-status="accepted"' in shown and "已受理" in shown
    assert "应于此日前作出决定" in shown
    # Another subject's code, or none: the same answer as for no such case.
    for subject in ("9144030071526726XG", ""):
        hidden = portal.html("/repair", case=portal.case_id, subject=subject)
        assert 'id="case-result"' not in hidden and 'id="case-missing"' in hidden
    assert 'id="case-missing"' in portal.html("/repair", case="not-a-case", subject=ACME)


def test_the_indicators_are_charts_drawn_on_the_server_with_text(portal: Portal) -> None:
    html = portal.html("/indicators")
    charts = re.findall(r'<svg class="chart" id="(trend-[a-z_]+)" role="img"', html)
    assert len(charts) >= 12
    for chart in charts:
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    desc = re.search(r'<desc id="trend-publicity_timeliness-desc">([^<]+)</desc>', html)
    assert desc and desc.group(1).startswith("目标 100.0%") and TODAY.isoformat() in desc.group(1)
    assert re.search(r"\d+ 项达标", text_of(html))
