"""Fixtures of the integration stories: ledgers on fresh tables, SQLite and PostgreSQL alike.
A module that defines its own `ledger` or `ledgers` fixture uses that one instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from ledger.application import CreditLedger, utc_today
from ledger.build import build_ledger
from ledger.settings import Settings
from tests.integration._import_helpers import Ledgers


@pytest.fixture
def ledgers(database_url: str, unique_name: str) -> Iterator[Ledgers]:
    """Open ledger applications, all closed afterwards: those without a suffix share one fresh
    set of tables, a suffix opens a set of its own."""
    opened: list[CreditLedger] = []

    def open_ledger(suffix: str = "", *, clock: Callable[[], date] = utc_today,
                    **overrides: Any) -> CreditLedger:
        # SQLite names its table the same for every app: a second ledger needs its own file.
        url = database_url.replace(".sqlite3", f"{suffix}.sqlite3")
        settings = Settings(database_url=url, app_name=unique_name + suffix, **overrides)
        opened.append(build_ledger(settings, clock=clock))
        return opened[-1]

    yield open_ledger
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(ledgers: Ledgers) -> CreditLedger:
    return ledgers("")
