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


def manifest_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                hashes: dict[str, str]) -> None:
    monkeypatch.setattr(compiled, "BUILD", tmp_path)
    monkeypatch.setattr(compiled, "MANIFEST", tmp_path / "manifest.json")
    modules = {}
    for m in compiled.COMPILED:
        file = m.replace(".", "/") + compiled.abi_tag()
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_bytes(b"")
        modules[m] = {"file": file, "sha256": hashes.get(m, compiled.digest(compiled.source_of(m)))}
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"suffix": compiled.abi_tag(), "modules": modules, "shared": {}}))


def test_a_build_matching_every_source_is_used(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.DISABLE, raising=False)
    manifest_at(tmp_path, monkeypatch, {})
    files = compiled.usable_build()
    assert files is not None and set(files) == set(compiled.COMPILED)


def test_a_build_older_than_one_source_is_not_used(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.DISABLE, raising=False)
    manifest_at(tmp_path, monkeypatch, {"projections.views.scores": "0" * 64})
    assert compiled.usable_build() is None


def test_a_build_for_another_interpreter_or_switched_off_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest_at(tmp_path, monkeypatch, {})
    monkeypatch.setenv(compiled.DISABLE, "1")
    assert compiled.usable_build() is None
    monkeypatch.delenv(compiled.DISABLE)
    raw = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps(raw | {"suffix": ".cpython-39-x.so"}))
    assert compiled.usable_build() is None
