"""The portal's front: `/` (search, today's double publicity, the latest list changes),
`/search` (a code goes straight to its subject) and the person's own lookup, POSTed.

A resident ID number only ever arrives in the body of `POST /lookup`: it is turned into the
pseudonym at once (the same HMAC as registration, ledger.identity), never shown, logged or
put in a URL; the answer is a 303 to the pseudonym's page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_runtime
from api.labelled import authority_names
from api.portal.render import page, page_no, pages
from ledger.domain.resident_id import id_shaped, pseudonym, validate_resident_id
from ledger.domain.uscc import CodeError
from ledger.identity import path_code
from projections import portal_reads, queries
from projections.storage import view_store

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
SEARCH_PAGE = 20
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/")
def home(request: Request) -> Response:
    """Search, today's double-publicity counts, list sizes and the latest list changes."""
    runtime = get_runtime(request)
    today = runtime.ledger.clock()
    with view_store(runtime).reader() as tx:
        counts = {"today": portal_reads.decided_counts(tx, today.isoformat(),
                                                       today.isoformat()),
                  "month": portal_reads.decided_counts(
                      tx, (today - timedelta(days=29)).isoformat(), today.isoformat())}
        sizes = {name: portal_reads.list_size(tx, name, today.isoformat())
                 for name in ("red", "black", "key_attention")}
        changes = portal_reads.list_changes(tx, today.isoformat())
        names = authority_names(runtime, tx, {c["authority"] for c in changes})
    return page(request, "home.html", heading="公共信用信息查询", counts=counts, sizes=sizes,
                changes=changes, names=names)


@router.get("/search")
def search(request: Request, q: str = "") -> Response:
    """Subjects by name, or straight to the subject a whole code names."""
    number = page_no(request.query_params.get("page"))
    term = q.strip()[:100]
    if not term:
        return page(request, "search.html", heading="查询结果", q="", items=[], total=0,
                    page=1, total_pages=1)
    if id_shaped(term):
        # Never searched, never shown back: a person's number belongs in the lookup form.
        return page(request, "search.html", heading="查询结果", q="", items=[], total=0,
                    page=1, total_pages=1, id_number=True)
    runtime = get_runtime(request)
    with view_store(runtime).reader() as tx:
        if " " not in term and (len(term) == 18 or term.startswith("p-")):
            code = path_code(term)
            if portal_reads.names_of(tx, [code]):
                return RedirectResponse(f"/subjects/{code}", status_code=303)
        items, total = queries.search(tx, term, number, SEARCH_PAGE)
    return page(request, "search.html", heading="查询结果", q=term, items=items, total=total,
                page=number, total_pages=pages(total, SEARCH_PAGE))


@router.get("/lookup")
def lookup_form(request: Request) -> Response:
    """The form where a person types their ID number (sent in the body, never in a URL)."""
    response = page(request, "lookup.html", heading="本人信用查询")
    response.headers.update(NO_STORE)
    return response


@router.post("/lookup")
def lookup(request: Request, id_number: Annotated[str, Form()] = "") -> Response:
    """A person's own record: 303 to their pseudonym's page, or the form again, saying why."""
    runtime = get_runtime(request)
    try:
        number = validate_resident_id(id_number.strip()[:64])
    except CodeError:
        return _form_again(request, 422,
                           "身份证号码格式不正确，请核对后重新输入（18位，最后一位可为X）。")
    key = runtime.settings.pseudonym_key.get_secret_value().encode()
    code = pseudonym(number, key)
    with view_store(runtime).reader() as tx:
        known = portal_reads.names_of(tx, [code])
    if not known:
        return _form_again(request, 404, "未找到以该身份证号码登记的信用主体。")
    return RedirectResponse(f"/subjects/{code}", status_code=303, headers=NO_STORE)


def _form_again(request: Request, status: int, error: str) -> Response:
    response = page(request, "lookup.html", status, heading="本人信用查询", error=error)
    response.headers.update(NO_STORE)
    return response

