"""Real-browser tests: Debian's Chromium, driven by Playwright, against a real `credit-ledger
serve` over a demo city.

Nothing is downloaded at test time: /usr/bin/chromium and pdftotext come from Debian's
packages (`scripts/services up browser`); Playwright is only the driver. Under CI=true a
missing browser fails the run. Every page a test opens through `visits.open` (or shows with
`visits.look`) is saved as a screenshot in var/screenshots/ and checked by axe-core: a serious
or critical accessibility violation fails the test, naming the rule and the elements.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bench.soak import served
from tests.browser.demo_city import DEMO_SUBJECTS
from tests.browser.visits import ADMIN_TOKEN, OFFICER_TOKEN, City, Visits
from tests.conftest import service_missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CREDIT_OFFICE = "11211100246802468U"  # 盘锦市发展和改革委员会 in the authority catalogue


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """`credit-ledger serve` (its own process, embedded SQLite) over a generated demo city."""
    workdir = tmp_path_factory.mktemp("city")
    # A repair officer and an admin too: a test files the repair case whose status a person
    # looks up, another renames and deregisters a company.
    tokens = {OFFICER_TOKEN: {"role": "officer", "authority": CREDIT_OFFICE,
                              "actor": "browser-officer"},
              ADMIN_TOKEN: {"role": "admin", "authority": CREDIT_OFFICE,
                            "actor": "browser-admin"}}
    with served(f"sqlite:///{workdir / 'ledger.sqlite3'}", workdir, subjects=DEMO_SUBJECTS,
                tokens=tokens) as base:
        # served() sends the server's output, uvicorn's access log included, to one file.
        log, = workdir.glob("serve-*.log")
        listed = _black_listed(base)
        yield City(base, listed, workdir, log, _listed_company(base))


def _black_listed(base: str) -> str:
    """The first subject on the black list, once the views have caught up with the demo."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        items = httpx.get(f"{base}/v1/lists/black", timeout=10).json().get("items", [])
        if items:
            return str(items[0]["code"])
        time.sleep(0.5)
    raise RuntimeError("the demo city's black list stayed empty for 60 s")


def _listed_company(base: str) -> str:
    """A listed subject with a USCC (not a person), black list first."""
    for name in ("black", "key_attention", "red"):
        for item in httpx.get(f"{base}/v1/lists/{name}", timeout=10).json()["items"]:
            if not item["code"].startswith("p-"):
                return str(item["code"])
    raise RuntimeError("the demo city lists no organisation")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        service_missing("Debian's Chromium at /usr/bin/chromium", "scripts/services up browser")
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                           headless=True)
        yield found
        found.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def visits(page: Page, city: City, request: pytest.FixtureRequest) -> Visits:
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.module.__name__}-"
                                              f"{request.node.name}")
    return Visits(page, city.base, prefix)
