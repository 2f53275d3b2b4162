"""Compile the rebuild's hot modules (projections.compiled.COMPILED) with mypyc, into build/.

    .venv/bin/python scripts/compile_views.py [--if-stale]

Writes the extension modules and build/compiled/manifest.json (each source's SHA-256, the
interpreter's extension suffix); `projections.compiled` loads them only while every source
still matches. Exits non-zero if mypyc or the C compiler fails, leaving no manifest: the
modules then run as Python (the Makefile says so and goes on).
"""

from __future__ import annotations

import json
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
    digest,
    source_of,
    usable_build,
)


def main() -> int:
    if "--if-stale" in sys.argv[1:] and usable_build() is not None:
        return 0  # the build matches the sources
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError as e:
        print(f"compile_views: cannot compile ({e}); the views run as Python", file=sys.stderr)
        return 1
    started = time.monotonic()
    sources = {m: source_of(m) for m in COMPILED}
    hashes = {m: digest(p) for m, p in sources.items()}
    shutil.rmtree(BUILD, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="credit-ledger-mypyc-") as tmp:
        out, temp = Path(tmp) / "lib", Path(tmp) / "temp"
        modules = mypycify([str(p.relative_to(ROOT)) for p in sources.values()],
                           opt_level="3", target_dir=str(Path(tmp) / "c"))
        setup(name="credit-ledger-compiled", ext_modules=modules, script_args=[
            "--quiet", "build_ext", f"--build-lib={out}", f"--build-temp={temp}"])
        suffix = abi_tag()
        built: dict[str, dict[str, str]] = {}
        shared: dict[str, str] = {}
        for path in out.rglob(f"*{suffix}"):
            relative = path.relative_to(out)
            name = str(relative)[:-len(suffix)].replace("/", ".")
            (BUILD / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, BUILD / relative)
            if name in hashes:
                built[name] = {"file": str(relative), "sha256": hashes[name]}
            else:
                shared[name] = str(relative)  # mypyc's runtime shared by the modules
    missing = [m for m in COMPILED if m not in built]
    if missing:
        print(f"compile_views: mypyc built no module for {', '.join(missing)}", file=sys.stderr)
        return 1
    MANIFEST.write_text(json.dumps({"suffix": suffix, "modules": built, "shared": shared},
                                   indent=1, sort_keys=True))
    print(f"compile_views: compiled {len(built)} modules in {time.monotonic() - started:.0f} s "
          f"into {BUILD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
