"""The rebuild's hot modules, compiled to C by mypyc when a build of them matches the sources.

A rebuild is Python CPU per event, most of it in the views' apply code and the batching
under it. `scripts/compile_views.py` (run by `make`) compiles the modules in COMPILED with
mypyc into build/compiled/ and writes a manifest with each source's SHA-256. On import of
`projections`, `install()` puts a finder first on sys.meta_path that loads those extension
modules instead of the sources, but only if every compiled source still hashes as built and
the build is for this interpreter: an edited file runs as Python until the next `make`, never
as a stale build. LEDGER_PURE_PYTHON=1 turns it off; without a C compiler nothing is built and
everything runs as Python, as before. ADR 010 says why and what it costs.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "compiled"
MANIFEST = BUILD / "manifest.json"
# Modules compiled: the views' apply code and what every event goes through under it. Only
# modules whose objects no test or caller patches at run time (mypyc binds calls early).
COMPILED = (
    "projections.apply",
    "projections.batch",
    "projections.catalog",
    "projections.views.indicators",
    "projections.views.lists",
    "projections.views.profiles",
    "projections.views.repair_ratios",
    "projections.views.scores",
    "projections.views.timeliness",
)
DISABLE = "LEDGER_PURE_PYTHON"


def source_of(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def abi_tag() -> str:
    """This interpreter's extension suffix (ABI, platform): .cpython-311-x86_64-linux-gnu.so"""
    return importlib.machinery.EXTENSION_SUFFIXES[0]


class CompiledFinder(MetaPathFinder):
    """Finds the compiled modules (and mypyc's shared runtime module) in the build."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        found = self.files.get(fullname)
        if found is None:
            return None
        return importlib.util.spec_from_file_location(fullname, found)


def usable_build() -> dict[str, Path] | None:
    """The build's files by module name if it may be used now, else None (and why, logged)."""
    if os.environ.get(DISABLE, "") not in ("", "0"):
        return None
    try:
        manifest = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return None  # never built (no compiler, or `make` not run): pure Python
    if manifest.get("suffix") != abi_tag():
        log.info("compiled views are for another interpreter (%s): running them as Python",
                 manifest.get("suffix"))
        return None
    modules = manifest.get("modules", {})
    stale = [m for m in COMPILED
             if m not in modules or modules[m]["sha256"] != digest(source_of(m))]
    if stale:
        log.info("compiled views are older than %s: running them as Python (`make` rebuilds "
                 "them)", ", ".join(stale))
        return None
    files = {m: BUILD / modules[m]["file"] for m in COMPILED}
    files |= {name: BUILD / file for name, file in manifest.get("shared", {}).items()}
    if not all(f.is_file() for f in files.values()):
        return None
    return files


def install() -> bool:
    """Load the compiled modules from now on if the build is usable; whether it is."""
    if any(isinstance(f, CompiledFinder) for f in sys.meta_path):
        return True
    files = usable_build()
    if files is None:
        return False
    if any(m in sys.modules for m in COMPILED):
        return False  # already imported as Python: never mix the two in one process
    sys.meta_path.insert(0, CompiledFinder(files))
    return True


def active() -> bool:
    """Whether the compiled modules are the ones imported (for tests and `doctor` output)."""
    return any(isinstance(f, CompiledFinder) for f in sys.meta_path) and all(
        not (getattr(sys.modules.get(m), "__file__", "") or "").endswith(".py")
        for m in COMPILED if m in sys.modules)
