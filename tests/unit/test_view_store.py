"""Where views live: beside the events by default, elsewhere when LEDGER_VIEWS_DATABASE_URL says."""

from __future__ import annotations

import pytest

from ledger.settings import Settings
from projections.storage import ViewStore


def test_embedded_views_share_the_event_store_file() -> None:
    store = ViewStore.from_settings(Settings(database_url="sqlite:///var/x.sqlite3",
                                             app_name="Credit-Ledger 2"))
    assert (store.dialect, store.sqlite_path) == ("sqlite", "var/x.sqlite3")
    assert store.physical("list_entry", 3) == "credit_ledger_2_list_entry_g3"


def test_a_views_database_url_moves_the_views(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", "postgresql://ledger@db:5432/ledger")
    assert ViewStore.from_settings(Settings()).url == "postgresql://ledger@db:5432/ledger"
    monkeypatch.setenv("LEDGER_VIEWS_DATABASE_URL", "postgresql://ledger@replica:5432/views")
    store = ViewStore.from_settings(Settings())
    assert (store.dialect, store.url) == ("postgresql", "postgresql://ledger@replica:5432/views")
