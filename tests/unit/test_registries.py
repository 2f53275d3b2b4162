"""Routers, CLI commands and background services are explicit lists: a module that cannot be
loaded stops start-up with its name, and a module left off a list is noticed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from projections import views

ROOT = Path(__file__).parents[2]


def start_without(module: str, start: str) -> subprocess.CompletedProcess[str]:
    """Run `start` in a fresh interpreter in which `module` cannot be imported."""
    code = f"import sys; sys.modules[{module!r}] = None; {start}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("missing", "start"), [
    # The server: a router that is gone stops the app from being built.
    ("api.routers.joint", "import api.app"),
    # The CLI: a command module that is gone stops `credit-ledger`, even for --help.
    ("api.commands.importing", "from api.cli import main; sys.argv = ['x', '--help']; main()"),
    # A process: a background service that is gone stops its assembly.
    ("projections.runner", "import api.bootstrap"),
    ("ledger.expiry", "import api.bootstrap"),
])
def test_a_missing_module_stops_start_up_with_its_name(missing: str, start: str) -> None:
    done = start_without(missing, start)
    assert done.returncode != 0
    assert missing in done.stderr


def test_every_router_module_is_included() -> None:
    from api.routers import ROUTERS

    files = {f"api.routers.{p.stem}" for p in (ROOT / "api" / "routers").glob("*.py")
             if p.stem != "__init__"}
    # Each router module's `router` is in the list (APIRouter instances do not name their
    # module, so ask the modules).
    modules = {name for name in files if sys.modules[name].router in ROUTERS}
    assert modules == files, f"not included: {sorted(files - modules)}"


def test_every_command_module_is_registered() -> None:
    from api.cli import COMMANDS

    files = {f"api.commands.{p.stem}" for p in (ROOT / "api" / "commands").glob("*.py")
             if p.stem not in ("__init__", "logs")}
    assert {m.__name__ for m in COMMANDS} == files


def test_a_registered_view_that_cannot_be_imported_stops_start_up_with_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A view renamed without its registry entry must not vanish from the read models.
    monkeypatch.setattr(views, "VIEW_MODULES", [*views.VIEW_MODULES, "projections.views.gone"])
    with pytest.raises(ModuleNotFoundError, match=r"projections\.views\.gone"):
        views.load_views()
