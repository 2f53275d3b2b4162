"""The portal's guides: how credit repair works, with a case's progress looked up by its id
and subject code; the city's indicators as charts drawn on the server with their text
alternatives; and the API documentation, whole from this server (no request leaves it).
"""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, Route

from tests.browser.visits import OFFICER_TOKEN, City, Visits


def test_a_repair_case_shows_its_progress_only_with_its_subject_code(
        city: City, page: Page, visits: Visits) -> None:
    # An officer files the black-listed company's application for its listing.
    listing = next(i for i in httpx.get(f"{city.base}/v1/lists/black").json()["items"]
                   if i["code"] == city.listed)
    today = httpx.get(f"{city.base}/v1/subjects/{city.listed}").json()["as_of"]
    filed = httpx.post(f"{city.base}/v1/repairs",
                       headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
                       json={"subject": city.listed, "target": listing["listing_id"],
                             "applied_on": today, "obligations_performed": True})
    assert filed.status_code == 201, filed.text
    case = filed.json()["id"]

    visits.open("/repair")
    for part in ("#which", "#when", "#bring", "#deadlines", "#status"):
        assert page.locator(part).is_visible(), part
    assert page.locator("#publicity-periods tbody tr").count() >= 2

    # The case id and the company's code: its status, in words, and its steps.
    page.get_by_label("案件编号").fill(case)
    page.get_by_label("统一社会信用代码或自然人编号").fill(city.listed)
    page.get_by_role("button", name="查询进度").click()
    page.wait_for_load_state()
    visits.look()
    status = page.locator("#case-status")
    assert status.get_attribute("data-status") == filed.json()["status"]
    assert status.inner_text() in {"已申请", "不予受理", "已受理"}
    assert page.locator("#case-steps li").count() >= 1
    assert "#status" in page.url

    # The same id with another code shows nothing of the case.
    page.get_by_label("案件编号").fill(case)
    page.get_by_label("统一社会信用代码或自然人编号").fill("91211100MA0000000X")
    page.get_by_role("button", name="查询进度").click()
    page.wait_for_load_state()
    visits.look()
    assert page.locator("#case-missing").is_visible()
    assert page.locator("#case-result").count() == 0


def test_the_indicators_are_charts_with_text_alternatives(
        city: City, page: Page, visits: Visits) -> None:
    visits.open("/indicators")
    rows = page.locator("#indicators-table tbody tr")
    charts = page.locator("#indicators-table svg[id^=trend-]")
    assert rows.count() >= 10 and charts.count() == rows.count()
    for i in range(charts.count()):
        chart = charts.nth(i)
        row_id = rows.nth(i).get_attribute("id")
        assert chart.get_attribute("id") == f"trend-{row_id.removeprefix('ind-')}"
        assert chart.get_attribute("role") == "img"
        # The accessible name is the chart's title and description: every value in words.
        title, desc = chart.get_attribute("aria-labelledby").split()
        assert page.locator(f"#{title}").text_content().endswith("的变化趋势")
        assert page.locator(f"#{desc}").text_content().count("：") >= 5
        assert chart.locator("polyline, circle, path").count() >= 1 or \
            "无数据" in page.locator(f"#{desc}").text_content()
    summary = page.locator("#indicators-summary").inner_text()
    assert "项达标" in summary and "项未达标" in summary


def test_the_county_ranking_names_every_county_with_its_rank(
        city: City, page: Page, visits: Visits) -> None:
    # From the nav, as a county's credit office would find it.
    visits.open("/")
    page.locator("#site-nav a", has_text="区县排名").click()
    visits.look()
    counties = page.locator("#regions-overall tbody tr")
    assert counties.count() >= 4
    names = page.locator("#regions-overall tbody th").all_inner_texts()
    assert {"兴隆台区", "双台子区", "大洼区", "盘山县"} <= set(names)
    # The indicators, each county's value beside its rank, and the months' rankings.
    assert page.locator("#regions-indicators tbody tr").count() >= 10
    assert "第1名" in page.locator("#regions-indicators").inner_text()
    assert page.locator("#regions-history tbody tr").count() == 6


def test_the_api_docs_render_offline_with_every_operation(
        city: City, page: Page, visits: Visits) -> None:
    # Anything addressed to another host is refused (and kept, to fail the test).
    page.route("**/*", lambda route: keep_local(route, visits))
    answer = page.goto(f"{city.base}/docs")
    assert answer is not None and answer.status == 200
    page.locator(".opblock").first.wait_for()  # drawn by Swagger UI's script
    visits.look()
    operations = page.locator(".opblock")
    assert operations.count() >= 30
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/v1/subjects/{code}/report.pdf" in p.replace("\u200b", "") for p in paths)
    assert any("/v1/lists/{list_name}" in p.replace("\u200b", "") for p in paths)
    # Open one operation: its parameters are there too.
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    visits.look()
    assert visits.off_machine() == [], visits.off_machine()
    assert any(u.endswith("/openapi.json") for u in visits.urls())
    assert any("/static/docs/swagger-ui-bundle.js" in u for u in visits.urls())


def keep_local(route: Route, visits: Visits) -> None:
    if route.request.url in visits.off_machine():
        route.abort()
    else:
        route.continue_()
