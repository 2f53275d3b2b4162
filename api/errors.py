"""Every error a caller can act on, as application/problem+json, mapped in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from api.responses import OrjsonResponse
from ledger.domain.errors import DomainError
from ledger.domain.publicity import UnknownSeverity
from ledger.domain.uscc import CodeError
from ledger.privacy import redact_all
from projections.storage import ViewsNotReady

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, *, headers: dict[str, str] | None = None,
            **extra: Any) -> OrjsonResponse:
    """The one builder of error bodies: whatever a message quotes, no ID number leaves here."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail} | extra
    body = redact_all(body)
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
        {"field": "body" if e["type"] == "json_invalid" else _field_name(tuple(e["loc"])),
         "rule": e["type"], "message": e["msg"]}
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
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI answers 400 for a body that is not UTF-8; the contract says 422, by field.
        error = {"field": "body", "rule": "json_invalid", "message": "the body is not UTF-8 JSON"}
        return problem(422, "Invalid request", "invalid fields: body", errors=[error])
    if exc.status_code == 400 and isinstance(exc.__context__, MultiPartException):
        # Starlette answers 400 for a multipart body it cannot parse (an upload): 422 too.
        error = {"field": "body", "rule": "multipart_invalid", "message": str(exc.detail)}
        return problem(422, "Invalid request", "invalid fields: body", errors=[error])
    return problem(exc.status_code, str(exc.detail), str(exc.detail),
                   headers=getattr(exc, "headers", None))


async def on_views_not_ready(_: Request, exc: ViewsNotReady) -> OrjsonResponse:
    return problem(503, "Views not ready", str(exc), headers={"Retry-After": "1"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(CodeFieldError, on_code_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(UnknownSeverity, on_value_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(ViewsNotReady, on_views_not_ready)  # type: ignore[arg-type]
