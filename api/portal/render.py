"""Rendering the portal's pages: the templates packaged beside this module, the labels as
filters, and the small parsers of query strings that answer bad input with a page, not 422."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import get_runtime
from ledger.domain.labels import GRADES, INDICATORS, RECORD_KINDS, SCORE_RULES, label, text_label
from ledger.domain.vocabulary import (
    CommitmentStatus,
    CommitmentType,
    Domain,
    ListName,
    PrincipalRole,
    Severity,
    SubjectKind,
)
from ledger.privacy import redact

HERE = Path(__file__).parent
PAGE_SIZE, MAX_PAGE_SIZE = 20, 100



def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


templates = Jinja2Templates(directory=str(HERE / "templates"))
# Every filter masks what it shows: a label table never holds an ID number, but a value a
# caller sent (a search term) might.
templates.env.filters |= {
    "domain": lambda c: label(c, Domain) if c else "",
    "list_name": lambda c: label(c, ListName) if c else "",
    "kind": lambda c: label(c, SubjectKind) if c else "",
    "severity": lambda c: label(c, Severity) if c else "",
    "commitment_type": lambda c: label(c, CommitmentType) if c else "",
    "commitment_status": lambda c: label(c, CommitmentStatus) if c else "",
    "role": lambda c: label(c, PrincipalRole) if c else "",
    "record_kind": lambda c: text_label(RECORD_KINDS, c),
    "rule": lambda c: text_label(SCORE_RULES, c),
    "grade": lambda c: text_label(GRADES, c),
    "indicator": lambda c: text_label(INDICATORS, c),
    "masked": lambda text: redact(str(text)) if text is not None else "",
    "percent": percent,
}
templates.env.globals |= {
    "domains": [(d.value, label(d)) for d in Domain],
    "list_names": [(n.value, label(n)) for n in ListName],
}


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, with the portal's title and today in its context."""
    runtime = get_runtime(request)
    context = {"site": runtime.settings.portal_title, "today": runtime.ledger.clock(),
               **context}
    response = templates.TemplateResponse(request, name, context, status_code=status)
    return response


def not_found(request: Request, what: str) -> HTMLResponse:
    return page(request, "error.html", 404, heading="未找到", message=what)


def page_no(raw: str | None) -> int:
    """A 1-based page number from a query string; anything else is the first page."""
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1


def page_size(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or PAGE_SIZE), MAX_PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE


def day(raw: str | None) -> date | None:
    """An ISO date from a query string, or None (empty or malformed: the form says which)."""
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def pages(total: int, size: int) -> int:
    return max(1, -(-total // size))
