"""Requests refused before anything reads them: bodies above a limit (413), NUL in the URL (422).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

MAX_BODY = 1024 * 1024


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: checks Content-Length, and counts streamed bytes too."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send)
            return
        if length is None:
            # A chunked body is read up front: FastAPI turns errors raised while it
            # reads the body into 400, so the count must finish before the app runs.
            buffered = await self._buffer(receive)
            if buffered is None:
                await self._refuse(scope, receive, send)
                return
            receive = _replay(buffered, receive)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _buffer(self, receive: Receive) -> list[Message] | None:
        """The request's body messages, or None once they exceed the limit."""
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > self.limit:
                return None
            if message["type"] != "http.request" or not message.get("more_body", False):
                return messages

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        too_large = problem(413, "Request body too large",
                            f"request bodies are limited to {self.limit} bytes")
        await too_large(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """Hand the buffered messages back in order, then defer to the real channel."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


class NoNul:
    """Pure ASGI middleware: a NUL in the path or a query parameter is 422 naming where.

    PostgreSQL text cannot hold NUL: a lookup with one fails in the driver, so every path and
    parameter would need its own check. Bodies are checked by the write contracts instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = _nul_in(scope)
            if where is not None:
                refused = problem(422, "Invalid request", f"invalid fields: {where}", errors=[
                    {"field": where, "rule": "control_character",
                     "message": "must not contain the control character U+0000"}])
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _nul_in(scope: Scope) -> str | None:
    """Where a NUL is: "path", a query parameter's name, or None."""
    if "\x00" in scope["path"]:
        return "path"
    query: bytes = scope.get("query_string") or b""
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in value or "\x00" in name:
            return name.replace("\x00", "") or "query"
    return None
