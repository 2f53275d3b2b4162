"""The public profile's plain case, answered before FastAPI's routing: the API's hottest path.

`GET /v1/subjects/{code}` with no query string, on a subject the views know, is one statement
whose JSON text is the profile, with labels beside its codes (api/routers/public.py).
Routing, dependency solving and the middleware stack cost about as much CPU as PostgreSQL's
answer; this outermost ASGI layer answers that case directly. Everything else —
`min_position`, an unknown code (404), views not built yet (503), any other path — goes on
to the FastAPI app, which remains the one definition of the endpoint (and its OpenAPI entry).
"""

from __future__ import annotations

import re

from anyio import to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from api.routers.public import profile_body
from ledger.identity import path_code

PROFILE_PATH = re.compile(r"/v1/subjects/([^/]+)")


class FastProfile:
    """Pure ASGI: serve a known subject's profile, or pass the request on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = None
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            match = PROFILE_PATH.fullmatch(scope["path"])
            if match is not None:
                found = await to_thread.run_sync(self._body, scope, match.group(1))
        if found is None:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(found)).encode())]})
        await send({"type": "http.response.body", "body": found})

    @staticmethod
    def _body(scope: Scope, raw: str) -> bytes | None:
        runtime = scope["app"].state.runtime
        try:
            return profile_body(runtime, path_code(raw))
        except Exception:  # views not built, database down...: the app gives its own answer
            return None
