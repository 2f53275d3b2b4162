"""The ledger's API as `make run` builds it, minus background loops, for uvicorn --factory.

    uvicorn bench.served:create --factory --workers N   (settings from LEDGER_* variables)

The views are built before the load starts, so no relay or projection runs in the server.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.settings import Settings


def create() -> FastAPI:
    return create_app(bootstrap(Settings(), background=False))
