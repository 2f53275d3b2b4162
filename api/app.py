"""The FastAPI application, built from a Runtime (see api/bootstrap.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import contract, errors, portal
from api.auth import TokenBook
from api.fast_profile import FastProfile
from api.limits import BodyLimit, NoNul
from api.responses import OrjsonResponse
from api.routers import ROUTERS
from api.routers.imports import upload_limits
from ledger.runtime import Runtime


def create_app(runtime: Runtime, *, manage_runtime: bool = True) -> FastAPI:
    """The HTTP API over one runtime; starts and stops its background services if asked."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            runtime.start()
        try:
            yield
        finally:
            if manage_runtime:
                runtime.close()

    app = FastAPI(title="credit-ledger", version="0.1.0", lifespan=lifespan,
                  default_response_class=OrjsonResponse,
                  docs_url=None, redoc_url=None,  # served offline by the portal (api/portal)
                  description="Event-sourced public credit ledger: providers record facts, "
                              "the public reads current state, auditors replay history.")
    app.state.runtime = runtime
    app.state.tokens = TokenBook.load(runtime.settings.tokens_file)
    errors.install(app)
    contract.install(app)
    for router in ROUTERS:
        app.include_router(router)
    portal.install(app)  # the public pages and /docs, after the API's routes
    app.add_middleware(BodyLimit, larger=upload_limits(runtime.settings))
    app.add_middleware(FastProfile)  # the hottest read skips the rest of the stack
    app.add_middleware(NoNul)  # outermost, before any lookup: PostgreSQL text cannot hold NUL
    return app
