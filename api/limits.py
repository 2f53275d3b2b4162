"""Requests refused before anything reads them: bodies above a limit (413), NUL in the URL (422).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

MAX_BODY = 1024 * 1024


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: checks Content-Length, and counts streamed bytes too.

    `larger`: paths with a limit of their own (uploads), whose streamed bodies are not held in
    memory first: past the limit, reading them raises an HTTPException, which FastAPI passes
    on (any other error while it reads a body becomes 400), answered 413 like the rest.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY,
                 larger: dict[str, int] | None = None) -> None:
        self.app, self.default, self.larger = app, limit, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        own = self.larger.get(scope["path"])
        limit = own or self.default
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(limit, scope, receive, send)
            return
        if length is None and own is not None:
            await self.app(scope, _counted(receive, own, lambda: HTTPException(
                413, f"request bodies are limited to {own} bytes here")), send)
            return
        if length is None:
            # A chunked body is read up front: FastAPI turns errors raised while it
            # reads the body into 400, so the count must finish before the app runs.
            buffered = await self._buffer(receive, limit)
            if buffered is None:
                await self._refuse(limit, scope, receive, send)
                return
            receive = _replay(buffered, receive)
        try:
            await self.app(scope, _counted(receive, limit, BodyTooLarge), send)
        except BodyTooLarge:
            await self._refuse(limit, scope, receive, send)

    async def _buffer(self, receive: Receive, limit: int) -> list[Message] | None:
        """The request's body messages, or None once they exceed the limit."""
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > limit:
                return None
            if message["type"] != "http.request" or not message.get("more_body", False):
                return messages

    async def _refuse(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        too_large = problem(413, "Request body too large",
                            f"request bodies are limited to {limit} bytes")
        await too_large(scope, receive, send)


def _counted(receive: Receive, limit: int, too_large: Callable[[], Exception]) -> Receive:
    """The request's channel, raising too_large() once its bodies pass `limit` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise too_large()
        return message

    return counted


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
