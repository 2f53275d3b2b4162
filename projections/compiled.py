"""The rebuild's hot modules, compiled to C by mypyc when a build of them matches the sources.

A rebuild is Python CPU per event, most of it in the views' apply code and the batching
under it. `scripts/compile_views.py` (run by `make`) compiles the modules in COMPILED with
mypyc into build/compiled/ and writes a manifest of its inputs: every source of the packages
they are compiled against (mypyc checks values from other modules against the annotations it
saw, and copies their constants), the interpreter's extension suffix, mypy's version. On
import of `projections`, `install()` puts a finder first on sys.meta_path that loads those
extension modules instead of the sources, but only if the inputs are still those of the
build: an edited file runs as Python until the next `make`, never against a stale build
(`status` says why not, for the rebuild's log). LEDGER_PURE_PYTHON=1 turns it off; without a
C compiler nothing is built and everything runs as Python. ADR 010 says why and what it costs.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "compiled"
MANIFEST = BUILD / "manifest.json"
# Modules compiled: the views' apply code and what every event goes through under it. Only
# modules whose objects no test or caller patches at run time (mypyc binds calls early).
COMPILED = (
    "projections.apply",
    "projections.batch",
    "projections.catalog",
    "projections.held",
    "projections.record_sets",
    "projections.spool",
    "projections.views.indicators",
    "projections.views.lists",
    "projections.views.profiles",
    "projections.views.repair_ratios",
    "projections.views.scores",
    "projections.views.timeliness",
)
DISABLE = "LEDGER_PURE_PYTHON"
# Packages whose sources the build depends on (the compiled modules and what they import).
INPUT_PACKAGES = ("ledger", "projections")
# Why the compiled modules are not in use in this process ("" if they are, or never built).
status = ""


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


def inputs() -> dict[str, Path]:
    """The build's input sources, by path relative to the repository."""
    return {str(p.relative_to(ROOT)): p for package in INPUT_PACKAGES
            for p in sorted((ROOT / package).rglob("*.py"))}


def fingerprint(path: Path) -> dict[str, object]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest(path)}


def matching_build() -> tuple[dict[str, Path] | None, str]:
    """The build's files by module name if it matches the sources now, else None; and why
    not ("" if it matches or was never built)."""
    try:
        manifest = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return None, ""  # never built (no compiler, or `make` not run): pure Python
    if manifest.get("suffix") != abi_tag():
        return None, f"the build is for another interpreter ({manifest.get('suffix')})"
    built: dict[str, dict[str, object]] = manifest.get("inputs", {})
    now = inputs()
    if set(now) != set(built):
        changed = sorted(set(now) ^ set(built))
        return None, f"sources were added or removed since the build: {', '.join(changed)}"
    for name, path in now.items():
        stat, was = path.stat(), built[name]
        if (stat.st_size, stat.st_mtime_ns) != (was["size"], was["mtime_ns"]) \
                and digest(path) != was["sha256"]:  # touched but unchanged still matches
            return None, f"{name} changed since the build"
    files = {m: BUILD / manifest["modules"][m] for m in COMPILED if m in manifest["modules"]}
    files |= {name: BUILD / file for name, file in manifest.get("shared", {}).items()}
    if len(files) < len(COMPILED) or not all(f.is_file() for f in files.values()):
        return None, "the build is incomplete"
    return files, ""


def install() -> bool:
    """Load the compiled modules from now on if the build matches and is not switched off;
    whether they are loaded."""
    global status
    if any(isinstance(f, CompiledFinder) for f in sys.meta_path):
        return True
    if os.environ.get(DISABLE, "") not in ("", "0"):
        status = f"{DISABLE} is set"
        return False
    files, status = matching_build()
    if files is None:
        return False
    sys.meta_path.insert(0, CompiledFinder(files))
    return True


def active() -> bool:
    """Whether the compiled modules are the ones imported."""
    return any(isinstance(f, CompiledFinder) for f in sys.meta_path) and all(
        not (getattr(sys.modules.get(m), "__file__", "") or "").endswith(".py")
        for m in COMPILED if m in sys.modules)
