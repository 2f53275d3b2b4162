"""The views compiled by mypyc hold exactly the rows the Python sources do, and a build that
no longer matches its sources is never loaded (projections/compiled.py, ADR 010)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from projections import compiled

ROOT = Path(__file__).resolve().parents[2]
KINDS = ["penalty", "permit", "black", "red", "key", "delist", "end", "revoke", "kept",
         "breached"]


def city_rows() -> str:
    """Every view's rows for a fixed random city, applied one by one and as a rebuild's
    stage applies them (batched, counters held), with which modules ran them."""
    from tests.unit.test_views_batched import batched, city, one_by_one

    rng = random.Random(20261126)
    actions = [[(rng.choice(KINDS), rng.choice(["minor", "general", "serious"]),
                 date(2018, 1, 1) + timedelta(days=rng.randrange(4000)))
                for _ in range(rng.randrange(1, 14))] for _ in range(60)]
    envelopes = city(actions).envelopes
    rows: dict[str, Any] = {"one_by_one": one_by_one(envelopes),
                            "batched": batched(envelopes, [17, 90, 333], hold=True)}
    ended = sum(1 for row in rows["batched"]["score_contribution"] if row[11] is not None)
    return json.dumps({"compiled": compiled.active(), "rows": repr(rows), "ended": ended})


def rows_with(pure: bool) -> dict[str, Any]:
    env = {**os.environ, compiled.DISABLE: "1" if pure else "0"}
    out = subprocess.run(
        [sys.executable, "-c", "from tests.unit.test_compiled import city_rows; "
         "print(city_rows())"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_compiled_views_hold_the_rows_the_sources_do() -> None:
    pure, built = rows_with(pure=True), rows_with(pure=False)
    assert pure["compiled"] is False
    if not built["compiled"]:
        if os.environ.get("CI") == "true":
            pytest.fail("`make` did not leave a usable compiled build (scripts/compile_views.py)")
        pytest.skip("no compiled build of the views here (run `make compiled`)")
    assert built["rows"] == pure["rows"]
    assert pure["ended"] > 0  # the city's facts end contributions, not only add them


def fake_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository of two sources and a build of them (empty files stand for the modules)."""
    root, build = tmp_path / "repo", tmp_path / "repo" / "build" / "compiled"
    for source in ("ledger/domain/rules.py", "projections/views/scores.py"):
        (root / source).parent.mkdir(parents=True, exist_ok=True)
        (root / source).write_text("RULES = 1\n")
    monkeypatch.setattr(compiled, "ROOT", root)
    monkeypatch.setattr(compiled, "BUILD", build)
    monkeypatch.setattr(compiled, "MANIFEST", build / "manifest.json")
    modules = {m: m.replace(".", "/") + compiled.abi_tag() for m in compiled.COMPILED}
    for file in modules.values():
        (build / file).parent.mkdir(parents=True, exist_ok=True)
        (build / file).write_bytes(b"")
    (build / "manifest.json").write_text(json.dumps({
        "suffix": compiled.abi_tag(), "modules": modules, "shared": {},
        "inputs": {name: compiled.fingerprint(path) for name, path in compiled.inputs().items()}}))
    return root


def test_a_build_matching_every_source_is_used(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake_build(tmp_path, monkeypatch)
    files, why = compiled.matching_build()
    assert files is not None and set(compiled.COMPILED) <= set(files) and why == ""


def test_a_source_touched_without_a_change_still_matches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_build(tmp_path, monkeypatch)
    source = root / "ledger/domain/rules.py"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    assert compiled.matching_build()[0] is not None


def test_a_build_older_than_any_source_it_depends_on_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_build(tmp_path, monkeypatch)
    (root / "ledger/domain/rules.py").write_text("RULES = 2\n")  # not itself compiled
    files, why = compiled.matching_build()
    assert files is None and "ledger/domain/rules.py changed" in why


def test_a_source_added_since_the_build_makes_it_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_build(tmp_path, monkeypatch)
    (root / "projections/views/new_view.py").write_text("")
    files, why = compiled.matching_build()
    assert files is None and "projections/views/new_view.py" in why


def test_a_build_for_another_interpreter_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_build(tmp_path, monkeypatch)
    raw = json.loads(compiled.MANIFEST.read_text())
    compiled.MANIFEST.write_text(json.dumps(raw | {"suffix": ".cpython-39-x.so"}))
    files, why = compiled.matching_build()
    assert files is None and "another interpreter" in why


def test_switched_off_the_build_is_not_loaded_and_the_reason_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_build(tmp_path, monkeypatch)
    monkeypatch.setenv(compiled.DISABLE, "1")
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path
                                           if not isinstance(f, compiled.CompiledFinder)])
    assert compiled.install() is False and compiled.status == f"{compiled.DISABLE} is set"
    monkeypatch.setattr(compiled, "status", "")


def test_switched_off_make_does_not_rebuild_a_matching_build() -> None:
    """LEDGER_PURE_PYTHON is about running, not building: `make` keeps a matching build."""
    if compiled.matching_build()[0] is None:
        if os.environ.get("CI") == "true":
            pytest.fail("`make` did not leave a usable compiled build (scripts/compile_views.py)")
        pytest.skip("no compiled build of the views here (run `make compiled`)")
    before = compiled.MANIFEST.stat().st_mtime_ns
    subprocess.run([sys.executable, "scripts/compile_views.py", "--if-stale"], cwd=ROOT,
                   env={**os.environ, compiled.DISABLE: "1"}, check=True, timeout=60)
    assert compiled.MANIFEST.stat().st_mtime_ns == before
