"""The ledger's data files: the one shipped in `ledger/domain/data/`, or the operator's
replacement named by a setting (LEDGER_AUTHORITIES_FILE, LEDGER_REGIONS_FILE, ...)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


def read_json(path: Path | None, shipped: str) -> tuple[Any, str]:
    """The JSON of `path`, else of the shipped `data/<shipped>`, and how errors name it."""
    if path is None:
        text = resources.files("ledger.domain").joinpath(f"data/{shipped}")\
            .read_text(encoding="utf-8")
        return json.loads(text), f"the shipped {shipped}"
    return json.loads(path.read_text(encoding="utf-8")), str(path)
