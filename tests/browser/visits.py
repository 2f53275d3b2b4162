"""What the browser tests share: the served city, and visits that screenshot every page and
check it with axe-core (a serious or critical violation fails the test, naming the rule and
the elements). Screenshots go to var/screenshots/, one per page a test shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
BLOCKING = ("serious", "critical")  # axe impacts that fail a page


@dataclass(frozen=True)
class City:
    """A served demo city: its base URL, and a black-listed subject to read about."""

    base: str
    listed: str  # code of a subject on the black list
    workdir: Path


@dataclass
class Visits:
    """Opens pages as a person would; each one is screenshotted and checked by axe-core."""

    page: Page
    base: str
    prefix: str
    seen: list[str] = field(default_factory=list)

    def open(self, path: str, *, status: int = 200) -> Response:
        """Go to `path` (relative to the served city), expecting `status`, then look."""
        response = self.page.goto(self.base + path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path}: {response.status}, expected {status}"
        self.look()
        return response

    def look(self) -> None:
        """Screenshot the page as it is now, and fail on a serious or critical violation."""
        self.seen.append(self.page.url)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{self.prefix}-{len(self.seen):02d}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        blocking = [v for v in axe_violations(self.page) if v.get("impact") in BLOCKING]
        assert not blocking, f"{self.page.url} (screenshot {shot}):\n" + "\n".join(
            f"  {v['impact']}: {v['id']}: {v['help']} ({_targets(v)})" for v in blocking)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page (the script ships inside axe-playwright-python)."""
    return list(Axe().run(page).response["violations"])


def _targets(violation: dict[str, Any]) -> str:
    return ", ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:5])
