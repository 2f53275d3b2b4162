"""A citizen walks the portal from its front page: types a company's name into the search
box, opens it from the results, reads its record and downloads its credit report; types a
whole USCC and lands on the subject at once. A government body's page shows its own
defaults and whether they were put right; a renamed, deregistered company is found by its
former name and says so.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page

from ledger.domain.report_code import parse
from tests.browser import demo_city
from tests.browser.test_credit_report_browser import CODE_LINE, download_report
from tests.browser.visits import ADMIN_TOKEN, City, Visits
from tests.pdf_text import pdf_text


def search(page: Page, visits: Visits, text: str) -> None:
    """Type into the front page's search box and press its button."""
    page.get_by_label("查询信用主体").fill(text)
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_load_state()
    visits.look()


def test_a_citizen_finds_a_company_by_name_and_downloads_its_report(
        city: City, page: Page, visits: Visits, tmp_path: Path) -> None:
    subject = httpx.get(f"{city.base}/v1/subjects/{city.company}").json()
    listing = subject["lists"][0]
    score = httpx.get(f"{city.base}/v1/subjects/{city.company}/score").json()["score"]

    visits.open("/")
    assert page.locator("#page-title").inner_text() == "公共信用信息查询"
    search(page, visits, subject["name"])
    assert re.search(r"/search\?q=", page.url)
    assert "共找到" in page.locator("#search-summary").inner_text()

    # From the results, to the company's page: who it is, its listing and its score.
    page.locator("#results").get_by_role("link", name=subject["name"]).click()
    page.wait_for_url(f"**/subjects/{city.company}")
    visits.look()
    assert page.locator("#subject-name").inner_text() == subject["name"]
    assert page.locator("#subject-code").inner_text() == city.company
    assert listing["list_label"] in page.locator("#lists-table").inner_text()
    assert f"{score}" in page.locator("#score-value").inner_text()
    assert page.locator("#score-explanation li").count() >= 2  # the base, and each record

    # The report button: a PDF whose text names the company, its score and a code.
    text = pdf_text(download_report(visits, tmp_path))
    assert subject["name"] in text and city.company in text and f"{score} 分" in text
    found = CODE_LINE.search(text)
    assert found, text[:800]
    assert parse(found.group(1)).subject == city.company


def test_a_whole_code_goes_straight_to_its_subject_and_a_name_pages(
        city: City, page: Page, visits: Visits) -> None:
    visits.open("/")
    search(page, visits, city.company.lower())  # typed in lower case, as people do
    assert page.url == f"{city.base}/subjects/{city.company}"
    assert page.locator("#subject-code").inner_text() == city.company
    # So does a person's pseudonym (p-...), copied from their page.
    visits.open("/")
    search(page, visits, city.listed)
    assert page.url == f"{city.base}/subjects/{city.listed}"

    # A common word finds many: twenty a page, the next page further on.
    visits.open("/")
    search(page, visits, "盘锦")
    first = page.locator("#results tbody tr").all_inner_texts()
    assert len(first) == 20, first
    assert "第 1 页" in page.locator("#pager").inner_text()
    page.locator("#pager-next").click()
    page.wait_for_load_state()
    visits.look()
    second = page.locator("#results tbody tr").all_inner_texts()
    assert second and not set(first) & set(second)
    assert "第 2 页" in page.locator("#pager").inner_text()


def test_a_government_bodys_page_shows_its_defaults_and_its_region(
        city: City, page: Page, visits: Visits) -> None:
    defaults = demo_city.of("government_default")
    rectified = {(r["subject"], r["recorded_on"]) for r in demo_city.of("default_rectification")}
    assert defaults, "the demo city records government defaults"
    today = httpx.get(f"{city.base}/v1/subjects/{city.listed}").json()["as_of"]
    for body in sorted({d["subject"] for d in defaults}):
        own = [d for d in defaults if d["subject"] == body]
        profile = httpx.get(f"{city.base}/v1/subjects/{body}").json()
        region = profile["region_label"]
        # The API puts the same Chinese labels and names beside the codes.
        assert {(d["kind_label"], d["status_label"]) for d in profile["government_defaults"]} \
            <= {(k, s) for k in ("拖欠企业账款", "不履行协议约定", "不执行生效判决", "其他政务失信")
                for s in ("未整改", "已整改")}
        assert all(d["authority_name"] for d in profile["government_defaults"])
        visits.open(f"/subjects/{body}")
        assert region and page.locator("#region").inner_text() == region
        table = page.locator("#government-defaults-table")
        assert table.locator("tbody tr").count() == len(own)
        shown = table.inner_text()
        for d in own:
            assert d["creditor"] in shown
            assert {"arrears": "拖欠企业账款", "agreement_unfulfilled": "不履行协议约定",
                    "judgement_unexecuted": "不执行生效判决", "other": "其他政务失信"}[
                        d["kind"]] in shown
            state = table.locator("td.default-state").nth(
                sorted(own, key=lambda x: x["recorded_on"], reverse=True).index(d))
            expected = ("rectified" if (body, d["recorded_on"]) in rectified else
                        "overdue" if d["deadline"] < today else "open")
            assert state.get_attribute("data-state") == expected, (body, d)
        assert "盘锦市发展和改革委员会" in shown or "盘锦市中级人民法院" in shown  # by name


def test_a_renamed_and_deregistered_company_is_found_by_its_former_name(
        city: City, page: Page, visits: Visits) -> None:
    listed = {i["code"] for n in ("red", "black", "key_attention")
              for i in httpx.get(f"{city.base}/v1/lists/{n}").json()["items"]}
    company = next(r for r in demo_city.of("subject") if r["kind"] == "enterprise"
                   and r["code"] not in listed)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    base = f"{city.base}/v1/subjects/{company['code']}"
    renamed = httpx.post(f"{base}/name", headers=admin,
                         json={"name": "盘锦浏览器更名测试有限公司", "changed_on": "2026-05-06"})
    assert renamed.status_code == 201, renamed.text
    gone = httpx.post(f"{base}/deregistration", headers=admin,
                      json={"deregistered_on": "2026-05-25", "reason": "决议解散"})
    assert gone.status_code == 201, gone.text
    caught_up(city, gone.json()["position"])

    visits.open("/")
    search(page, visits, company["name"])
    page.locator("#results").get_by_role("link", name="盘锦浏览器更名测试有限公司").click()
    page.wait_for_url(f"**/subjects/{company['code']}")
    visits.look()
    assert company["name"] in page.locator("#former-names").inner_text()
    assert "2026-05-06" in page.locator("#former-names").inner_text()
    assert page.locator("#deregistered").inner_text() == "2026-05-25 已注销（决议解散）"


def caught_up(city: City, position: int) -> None:
    """Wait until the views have read up to `position` (the API answers 200 from then on)."""
    deadline = time.monotonic() + 60
    while httpx.get(f"{city.base}/v1/lists/red", params={"min_position": position}
                    ).status_code != 200:
        assert time.monotonic() < deadline, "the views did not catch up"
        time.sleep(0.2)
