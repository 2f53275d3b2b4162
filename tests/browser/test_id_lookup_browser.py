"""A person looks up their own record by typing their ID number into the lookup form: the
number travels only in the POST body. It is in no URL the browser asks for, not in the page
they land on (nor its source), not in the server's access log. And a civil servant's
integrity file (公务员诚信档案), kept for the organisation department, shows nowhere on the
portal: not on the person's page, not on their organisation's, not in a search.
"""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page

from ledger.domain.resident_id import mask
from tests.browser import demo_city
from tests.browser.visits import City, Visits


def look_up(page: Page, visits: Visits, number: str) -> None:
    """Type the number into the lookup form (#id-number) and submit it (#lookup-form)."""
    visits.open("/lookup")
    page.locator("#id-number").fill(number)
    with page.expect_navigation():
        page.locator("#lookup-form").get_by_role("button").click()
    visits.look()


def assert_nowhere(number: str, city: City, page: Page, visits: Visits) -> None:
    """The number (or its first 17 characters) is not in any URL, page or log line."""
    for text in (number, number[:17]):
        assert text not in page.url
        assert not [u for u in visits.urls() if text in u]
        assert text not in page.content()
        assert text not in city.logged()


def test_a_person_finds_their_record_and_the_number_stays_out_of_urls_pages_and_logs(
        city: City, page: Page, visits: Visits) -> None:
    person = demo_city.people()[0]
    number = person["code"]
    look_up(page, visits, number)

    # They land on their pseudonym's page: their name, the number masked.
    assert re.search(r"/subjects/p-[0-9a-f]{32}$", page.url), page.url
    assert page.locator("#subject-name").inner_text() == person["name"]
    assert mask(number) in page.locator("#identity").inner_text()
    # The form sent the number in its body, and only there: POSTed, then a redirect.
    posts = [r for r in visits.requests if r.method == "POST"]
    assert [r.url for r in posts] == [f"{city.base}/lookup"]
    assert number in (posts[0].post_data or "")
    time.sleep(0.3)  # the access log line of the last request
    logged = city.logged()
    assert "POST /lookup" in logged and f"GET {page.url.removeprefix(city.base)}" in logged
    assert_nowhere(number, city, page, visits)

    # A mistyped number: the form again, saying why, without the number in it.
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    look_up(page, visits, wrong)
    assert page.locator("#lookup-error").is_visible()
    assert page.locator("#id-number").input_value() == ""
    assert page.url == f"{city.base}/lookup"
    assert_nowhere(wrong, city, page, visits)

    # Typed into the search box instead, it is never searched nor shown back.
    visits.open("/")
    page.get_by_label("查询信用主体").fill(number)
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_load_state()
    visits.look()
    assert page.locator("#id-number-notice").is_visible()
    assert number not in page.content()


def test_a_civil_servants_file_never_reaches_the_portal(
        city: City, page: Page, visits: Visits) -> None:
    servants = demo_city.civil_servants()
    known = demo_city.registered_ids()
    assert any(s["id_number"] in known for s in servants), "a civil servant is also a person"
    assert any(s["id_number"] not in known for s in servants)
    for servant in servants:
        entries = [e["basis"] for e in servant["entries"]]
        look_up(page, visits, servant["id_number"])
        if servant["id_number"] in known:
            # Their own page, as any person's: nothing of the file, not even their post.
            assert page.locator("#subject-name").inner_text() == servant["name"]
        else:
            # Not a registered subject: the file does not make them one.
            assert page.locator("#lookup-error").inner_text().startswith("未找到")
        shown = page.content()
        for secret in (servant["post"], "公务员", "诚信档案", *entries):
            assert secret not in shown, (servant["name"], secret)
        assert_nowhere(servant["id_number"], city, page, visits)

        # Their organisation's page names none of its civil servants.
        visits.open(f"/subjects/{servant['organisation']}")
        shown = page.content()
        for other in servants:
            if other["organisation"] == servant["organisation"]:
                assert other["post"] not in shown and other["name"] not in shown

        # A search by name finds only registered subjects.
        visits.open("/")
        page.get_by_label("查询信用主体").fill(servant["name"])
        page.get_by_role("button", name="查询", exact=True).click()
        page.wait_for_load_state()
        visits.look()
        found = page.locator("#results a").all_inner_texts()
        assert found == ([servant["name"]] if servant["id_number"] in known else []), found

    # The files' API answers nobody without the organisation department's token.
    assert httpx.get(f"{city.base}/v1/civil-servants").status_code == 401
