"""Sixteen clients read and write at once for ten seconds: nobody gets a 5xx or a dropped line.

`credit-ledger serve` runs as its own process over a demo city (bench/soak.py holds the
clients; `python -m bench.soak` prints the same figures). The mix: red and black lists,
repair ratios, indicators, timeliness, name search, profiles and scores, and a quarter of the
clients registering subjects and reading them back at the write's position.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import served, soak

CLIENTS, SECONDS = 16, 10.0


def _soaked(url: str, backend: str, tmp_path: Path) -> None:
    with served(url, tmp_path) as base:
        result = soak(base, backend, clients=CLIENTS, seconds=SECONDS)
    print(result.line())  # the figures, for the report (pytest -s)
    # Every client kept busy, and every answer was an answer.
    assert result.requests > CLIENTS * SECONDS
    assert result.server_errors == 0, result.failures[:5]
    assert result.dropped == 0, result.failures[:5]
    # The writers' subjects were recorded and read back at their positions.
    assert result.statuses[201] > 0


def test_the_embedded_default_serves_concurrent_readers_and_writers(tmp_path: Path) -> None:
    _soaked(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", "sqlite", tmp_path)


@pytest.mark.postgres
def test_postgresql_serves_concurrent_readers_and_writers(tmp_path: Path, pg_url: str) -> None:
    _soaked(pg_url, "postgresql", tmp_path)
