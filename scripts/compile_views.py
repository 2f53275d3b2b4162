"""Compile the rebuild's hot modules (projections.compiled.COMPILED) with mypyc, into build/.

    .venv/bin/python scripts/compile_views.py [--if-stale]

Writes the extension modules and build/compiled/manifest.json (the size, time and SHA-256 of
every input source, the interpreter's extension suffix, mypy's version); `projections.compiled`
loads them only while the sources match. With --if-stale, does nothing if they match and
mypy is the one that built them. Exits non-zero if mypyc or the C compiler fails, leaving no
manifest: the modules then run as Python (the Makefile says so and goes on).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from projections.compiled import (  # noqa: E402
    BUILD,
    COMPILED,
    MANIFEST,
    abi_tag,
    fingerprint,
    inputs,
    matching_build,
    source_of,
)


def mypy_version() -> str:
    try:
        from mypy.version import __version__
    except ImportError:
        return ""
    return str(__version__)


def built_by_this_mypy() -> bool:
    try:
        return bool(json.loads(MANIFEST.read_text()).get("mypy") == mypy_version())
    except (OSError, ValueError):
        return False


def main() -> int:
    if "--if-stale" in sys.argv[1:] and built_by_this_mypy() and matching_build()[0]:
        return 0  # the build matches the sources
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError as e:
        print(f"compile_views: cannot compile ({e}); the views run as Python", file=sys.stderr)
        return 1
    os.chdir(ROOT)  # mypyc names modules after their paths relative to here
    started = time.monotonic()
    fingerprints = {name: fingerprint(path) for name, path in inputs().items()}  # before
    shutil.rmtree(BUILD, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="credit-ledger-mypyc-") as tmp:
        out, temp = Path(tmp) / "lib", Path(tmp) / "temp"
        modules = mypycify([str(source_of(m).relative_to(ROOT)) for m in COMPILED],
                           opt_level="3", target_dir=str(Path(tmp) / "c"))
        setup(name="credit-ledger-compiled", ext_modules=modules, script_args=[
            "--quiet", "build_ext", f"--build-lib={out}", f"--build-temp={temp}"])
        suffix = abi_tag()
        built: dict[str, str] = {}
        shared: dict[str, str] = {}
        for path in out.rglob(f"*{suffix}"):
            relative = path.relative_to(out)
            name = str(relative)[:-len(suffix)].replace("/", ".")
            (BUILD / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, BUILD / relative)
            (built if name in COMPILED else shared)[name] = str(relative)  # shared: mypyc's
    missing = [m for m in COMPILED if m not in built]
    if missing:
        print(f"compile_views: mypyc built no module for {', '.join(missing)}", file=sys.stderr)
        return 1
    MANIFEST.write_text(json.dumps({"suffix": suffix, "mypy": mypy_version(), "inputs":
                                    fingerprints, "modules": built, "shared": shared},
                                   indent=1, sort_keys=True))
    print(f"compile_views: compiled {len(built)} modules in {time.monotonic() - started:.0f} s "
          f"into {BUILD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
