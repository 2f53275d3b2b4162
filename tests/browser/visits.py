"""What the browser tests share: the served city, and visits that screenshot every page and
check it with axe-core (a serious or critical violation fails the test, naming the rule and
the elements). Screenshots go to var/screenshots/, one per page a test shows, each with its
axe result beside it (`<screenshot>.axe.json`: every violation, whatever its impact).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request, Response

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
BLOCKING = ("serious", "critical")  # axe impacts that fail a page
OFFICER_TOKEN = "browser-officer"  # a repair officer of the served city
ADMIN_TOKEN = "browser-admin"  # its administrator (renames, deregisters)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})  # never leave the browser


@dataclass(frozen=True)
class City:
    """A served demo city: its base URL, a black-listed subject to read about, a listed
    organisation (a USCC), and the server's output (its access log)."""

    base: str
    listed: str  # code of a subject on the black list (a person's pseudonym, in the demo)
    workdir: Path
    log: Path
    company: str  # USCC of a listed organisation

    def logged(self) -> str:
        """Everything the server has written so far (it flushes each log line)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Visits:
    """Opens pages as a person would; each one is screenshotted and checked by axe-core.
    Every request the page makes is kept (`requests`), with its method and body."""

    page: Page
    base: str
    prefix: str
    seen: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request))

    def open(self, path: str, *, status: int = 200) -> Response:
        """Go to `path` (relative to the served city), expecting `status`, then look."""
        response = self.page.goto(self.base + path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path}: {response.status}, expected {status}"
        self.look()
        return response

    def look(self) -> None:
        """Screenshot the page as it is now, and fail on a serious or critical violation."""
        self.page.wait_for_load_state()
        self.seen.append(self.page.url)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{self.prefix}-{len(self.seen):02d}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        violations = axe_violations(self.page)
        shot.with_suffix(".axe.json").write_text(json.dumps(
            {"url": self.page.url, "violations": [
                {"id": v["id"], "impact": v.get("impact"), "nodes": len(v["nodes"])}
                for v in violations]}, ensure_ascii=False, indent=1))
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        assert not blocking, f"{self.page.url} (screenshot {shot}):\n" + "\n".join(
            f"  {v['impact']}: {v['id']}: {v['help']} ({_targets(v)})" for v in blocking)

    def download(self, selector: str, into: Path) -> Path:
        """Click the link or button `selector`, as a person would, and keep the file."""
        with self.page.expect_download() as started:
            self.page.locator(selector).click()
        download = started.value
        assert download.failure() is None, download.failure()
        saved = into / download.suggested_filename
        download.save_as(saved)
        return saved

    def urls(self) -> list[str]:
        return [r.url for r in self.requests]

    def off_machine(self) -> list[str]:
        """Requests that would leave this machine: any host but 127.0.0.1 or localhost."""
        return [u for u in self.urls() if urlsplit(u).scheme not in LOCAL_SCHEMES
                and urlsplit(u).hostname not in LOCAL_HOSTS]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page (the script ships inside axe-playwright-python)."""
    return list(Axe().run(page).response["violations"])


def _targets(violation: dict[str, Any]) -> str:
    return ", ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:5])
