"""The tables a citizen reads and downloads: the red, black and key-attention lists page by
page and as CSV (UTF-8 with a BOM, the same rows as the pages), double publicity filtered by
authority, kind and date with its CSV, and each authority's timeliness by name.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.visits import City, Visits

USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def csv_file(path: Path) -> list[list[str]]:
    """A downloaded CSV's rows (header first), checking it is UTF-8 with a BOM."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def walk_pages(page: Page, visits: Visits, table: str, column: int) -> list[str]:
    """Every row's `column` text, page after page, clicking 下一页 until there is none."""
    shown: list[str] = []
    while True:
        shown += page.locator(f"{table} tbody tr").evaluate_all(
            f"rows => rows.map(r => r.cells[{column}].innerText.trim())")
        if page.locator("#pager-next").count() == 0:
            return shown
        page.locator("#pager-next").click()
        page.wait_for_load_state()
        visits.look()


@pytest.mark.parametrize("name, title", [("black", "黑名单"), ("red", "红名单"),
                                         ("key_attention", "重点关注名单")],
                         ids=["black", "red", "key_attention"])
def test_a_list_pages_and_its_csv_holds_the_same_rows(
        name: str, title: str, city: City, page: Page, visits: Visits, tmp_path: Path) -> None:
    # One row a page (the links keep page_size), so that the demo city's list has pages.
    visits.open(f"/lists/{name}?page_size=1")
    assert page.locator("#page-title").inner_text() == title
    total = int(re.search(r"共 (\d+) 条", page.locator("#list-summary").inner_text())[1])
    assert total >= 2, "the demo city has two or more on each list"
    codes = walk_pages(page, visits, "#list-table", 1)
    assert len(codes) == total and len(set(codes)) == total
    assert f"第 {total} 页，共 {total} 页" in page.locator("#pager").inner_text()

    # The CSV link, clicked on the last page, holds the whole list: the same rows, in order.
    rows = csv_file(visits.download("#csv-link", tmp_path))
    assert rows[0][:4] == ["主体名称", "统一社会信用代码或编号", "主体类型", "名单"]
    assert [r[1] for r in rows[1:]] == codes
    assert {r[3] for r in rows[1:]} == {title}

    # Filtered by the first row's domain, chosen in the form: only that domain's rows.
    domain = rows[1][4]
    page.get_by_label("领域").select_option(label=domain)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    visits.look()
    assert "domain=" in page.url
    assert set(walk_pages(page, visits, "#list-table", 3)) == {domain}
    filtered = csv_file(visits.download("#csv-link", tmp_path))
    assert {r[4] for r in filtered[1:]} == {domain}
    assert [r[1] for r in filtered[1:]] == [r[1] for r in rows[1:] if r[4] == domain]


def test_double_publicity_by_authority_kind_and_date_with_its_csv(
        city: City, page: Page, visits: Visits, tmp_path: Path) -> None:
    visits.open("/publicity")
    # The whole of it runs to several pages of twenty.
    assert page.locator("#publicity-table tbody tr").count() == 20
    page.locator("#pager-next").click()
    page.wait_for_load_state()
    visits.look()
    assert "第 2 页" in page.locator("#pager").inner_text()

    # Penalties only, since a date: the first authority that shows one is chosen by name.
    page.get_by_label("类别").select_option("penalty")
    page.get_by_label("起始日期").fill("2024-01-01")
    page.locator("#publicity-form").get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    visits.look()
    authority = page.locator("#publicity-table tbody tr").first.evaluate(
        "r => r.cells[3].innerText.trim()")
    assert not USCC.match(authority), f"an authority shown by its code: {authority}"
    page.get_by_label("决定机关").select_option(label=authority)
    page.locator("#publicity-form").get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    visits.look()
    numbers = walk_pages(page, visits, "#publicity-table", 1)
    assert numbers
    kinds = page.locator("#publicity-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.cells[0].innerText.trim() + '|' + r.cells[3].innerText.trim())")
    assert set(kinds) == {f"行政处罚|{authority}"}

    rows = csv_file(visits.download("#csv-link", tmp_path))
    assert rows[0][:2] == ["类别", "决定文书号"]
    assert [r[1] for r in rows[1:]] == numbers
    assert {(r[0], r[4]) for r in rows[1:]} == {("行政处罚", authority)}
    assert all(r[8] >= "2024-01-01" for r in rows[1:])


def test_each_authoritys_timeliness_by_name_with_its_late_records(
        city: City, page: Page, visits: Visits) -> None:
    visits.open("/authorities")
    names = page.locator("#timeliness-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.cells[0].innerText.trim())")
    assert len(names) >= 5
    assert not [n for n in names if USCC.match(n)], names
    # The least timely authority first; its late records one click away.
    late = page.locator("#timeliness-table tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.cells[3].innerText))")
    chosen = next(i for i, n in enumerate(late) if n > 0)
    page.locator("#timeliness-table tbody tr").nth(chosen).get_by_role("link").click()
    page.wait_for_load_state()
    visits.look()
    assert page.locator("#late-h").inner_text().startswith(names[chosen])
    assert page.locator("#late-table tbody tr").count() >= 1
