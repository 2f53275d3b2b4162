"""A person downloads a subject's credit report in the browser (the subject page's button),
reads it, and verifies it.

The report is a PDF in Chinese whose text a reader can copy out (pdftotext): the subject's
name, its score and the verification code are there. The code opens the verify page, which
confirms it; a code with one character changed, or a well-formed one the ledger never made,
is refused with a page that shows nothing of the record.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
from playwright.sync_api import Page

from ledger.domain.report_code import ReportCode, parse
from tests.browser.visits import City, Visits
from tests.pdf_text import pdf_text

CODE_LINE = re.compile(r"验证码\s+([A-Z2-7]{6}(?:-[A-Z2-7]{1,6})+)")


def download_report(visits: Visits, into: Path) -> Path:
    """Click the subject page's report button (a#report-link) and keep the PDF."""
    saved = visits.download("#report-link", into)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF-"), saved
    return saved


def test_a_downloaded_report_reads_back_and_its_code_is_confirmed(
        city: City, page: Page, visits: Visits, tmp_path: Path) -> None:
    subject = httpx.get(f"{city.base}/v1/subjects/{city.listed}").json()
    score = httpx.get(f"{city.base}/v1/subjects/{city.listed}/score").json()["score"]

    # The person opens the subject's page and clicks its report button.
    visits.open(f"/subjects/{city.listed}")
    assert page.locator("#report-link").inner_text() == "下载信用报告（PDF）"
    pdf = download_report(visits, tmp_path)
    text = pdf_text(pdf)
    assert "信用报告" in text
    assert subject["name"] in text and city.listed in text
    assert f"{score} 分" in text
    assert "黑名单" in text  # the listing, by its Chinese name
    found = CODE_LINE.search(text)
    assert found, text[:800]
    code = parse(found.group(1))
    assert code.subject == city.listed and code.day <= date.today()

    # The code on the report opens the verify page, which confirms it.
    visits.open(f"/reports/verify?code={code.text()}")
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-verdict") == "confirmed"
    assert subject["name"] in page.content()
    assert page.get_by_text(f"{score} 分").count() >= 1

    # Typed from paper, in lower case with its hyphens, it is the same code.
    visits.open("/reports/verify")
    page.get_by_label("验证码").fill(found.group(1).lower())
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    assert page.locator("#verdict").get_attribute("data-verdict") == "confirmed"
    visits.look()


def test_a_tampered_or_forged_code_is_refused(city: City, page: Page, visits: Visits) -> None:
    answer = httpx.get(f"{city.base}/v1/subjects/{city.listed}/report.pdf")
    real = answer.headers["X-Report-Code"]
    name = httpx.get(f"{city.base}/v1/subjects/{city.listed}").json()["name"]

    # One character changed: the code does not check, and the page says so (422).
    tampered = real[:20] + ("B" if real[20] != "B" else "C") + real[21:]
    visits.open(f"/reports/verify?code={tampered}", status=422)
    assert page.locator("#verdict").get_attribute("data-verdict") == "refused"
    assert "校验不通过" in page.locator("#verdict").inner_text()
    assert name not in page.content()

    # A well-formed code with another digest (someone claiming other content): not confirmed
    # (404), and still nothing of the record is shown.
    code = parse(real)
    forged = ReportCode(code.subject, code.position, code.day, bytes(8)).text()
    visits.open(f"/reports/verify?code={forged}", status=404)
    assert page.locator("#verdict").get_attribute("data-verdict") == "refused"
    assert name not in page.content()
