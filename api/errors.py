"""Every error a caller can act on, as application/problem+json, mapped in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import OrjsonResponse
from ledger.domain.errors import DomainError
from ledger.domain.publicity import UnknownSeverity
from ledger.domain.uscc import CodeError

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, *, headers: dict[str, str] | None = None,
            **extra: Any) -> OrjsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail} | extra
    return OrjsonResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class CodeFieldError(Exception):
    """A code check failed for a named request field."""

    def __init__(self, field: str, error: CodeError) -> None:
        super().__init__(str(error))
        self.field, self.error = field, error


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def on_validation(_: Request, exc: RequestValidationError) -> OrjsonResponse:
    errors = [
        {"field": _field_name(tuple(e["loc"])), "rule": e["type"], "message": e["msg"]}
        for e in exc.errors()
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem(422, "Invalid request", f"invalid fields: {fields}", errors=errors)


async def on_code_error(_: Request, exc: CodeFieldError) -> OrjsonResponse:
    error = {"field": exc.field, "rule": exc.error.rule, "message": str(exc.error)}
    if exc.error.expected is not None:
        error["expected"] = exc.error.expected
    return problem(422, "Invalid code", str(exc.error), errors=[error])


async def on_domain_error(_: Request, exc: DomainError) -> OrjsonResponse:
    errors = [{"field": exc.field, "rule": exc.rule, "message": exc.message}] if exc.field else []
    title = {404: "Not found", 409: "Conflict", 403: "Forbidden"}.get(exc.status, "Rule violated")
    return problem(exc.status, title, exc.message, rule=exc.rule, errors=errors,
                   **exc.members())


async def on_value_error(_: Request, exc: UnknownSeverity) -> OrjsonResponse:
    return problem(422, "Invalid request", str(exc))


async def on_http(_: Request, exc: StarletteHTTPException) -> OrjsonResponse:
    return problem(exc.status_code, str(exc.detail), str(exc.detail),
                   headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(CodeFieldError, on_code_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(UnknownSeverity, on_value_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
