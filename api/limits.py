"""Request bodies above a limit are refused with 413 before anything reads them."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
            await self._refuse(send)
            return
        if length is None:
            # A chunked body is read up front: FastAPI turns errors raised while it
            # reads the body into 400, so the count must finish before the app runs.
            buffered = await self._buffer(receive)
            if buffered is None:
                await self._refuse(send)
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
            await self._refuse(send)

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

    async def _refuse(self, send: Send) -> None:
        body: dict[str, Any] = {
            "type": "about:blank", "title": "Request body too large", "status": 413,
            "detail": f"request bodies are limited to {self.limit} bytes",
        }
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json")]})
        await send({"type": "http.response.body", "body": orjson.dumps(body)})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """Hand the buffered messages back in order, then defer to the real channel."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
