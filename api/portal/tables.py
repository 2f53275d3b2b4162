"""The portal's tables with a CSV beside them: `/lists/{red|black|key_attention}`,
`/publicity` (double publicity by authority and date) and `/authorities` (timeliness).

A CSV (`?format=csv`) holds the same rows as the page, from the same query: all rows of the
filter, or one page's when `page` is given. UTF-8 with a BOM and Chinese headers, so that
spreadsheet programs open it as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_runtime
from api.labelled import LISTING, PENALTY, authority_names, catalogue, labelled
from api.portal.render import day, not_found, page, page_no, page_size, pages
from ledger.domain.labels import RECORD_KINDS, label, text_label
from ledger.domain.resident_id import id_shaped
from ledger.domain.vocabulary import Domain, ListName, PermitStatus
from projections import portal_reads, queries
from projections.storage import view_store
from projections.views import timeliness

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
CSV_ROWS = 100_000  # a CSV of a whole list or range, at most

LIST_COLUMNS = (("name", "主体名称"), ("code", "统一社会信用代码或编号"),
                ("kind_label", "主体类型"),
                ("list_label", "名单"), ("domain_label", "领域"), ("authority_name", "认定部门"),
                ("listed_on", "列入日期"), ("expires_on", "有效期至"), ("basis", "认定依据"),
                ("removal_conditions", "移出条件"))
PUBLICITY_COLUMNS = (("kind_label", "类别"), ("decision_no", "决定文书号"),
                     ("name", "行政相对人名称"), ("code", "统一社会信用代码或编号"),
                     ("authority_name", "决定机关"), ("category", "许可或处罚类别"),
                     ("severity_label", "处罚程度"), ("domain_label", "领域"),
                     ("decided_on", "决定日期"), ("published_on", "公示日期"),
                     ("late_label", "是否按时公示"), ("status_label", "状态"))


def csv_response(columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]],
                 filename: str) -> Response:
    """Rows as CSV: UTF-8 with a BOM, Chinese headers, an ASCII and a UTF-8 file name."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in columns])
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k, _ in columns])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; "
                               f"filename*=UTF-8''{quote(filename)}"})


def authority_param(raw: str | None) -> str | None:
    """An authority's code from a query string; what reads as a person's ID number is dropped,
    since the page would show it back in its links."""
    code = (raw or "").strip().upper()[:64]
    return None if not code or id_shaped(code) else code


def wants_csv(request: Request) -> bool:
    return request.query_params.get("format") == "csv"


@router.get("/lists/{list_name}")
def list_page(list_name: str, request: Request) -> Response:
    """A list's members today, by domain, a page at a time or as CSV."""
    if list_name not in {n.value for n in ListName}:
        return not_found(request, "名单只有红名单、黑名单和重点关注名单三种。")
    runtime = get_runtime(request)
    today = runtime.ledger.clock().isoformat()
    raw_domain = request.query_params.get("domain") or None
    domain = raw_domain if raw_domain in {d.value for d in Domain} else None
    whole = wants_csv(request) and "page" not in request.query_params
    number, size = (1, CSV_ROWS) if whole else (page_no(request.query_params.get("page")),
                                                page_size(request.query_params.get("page_size")))
    with view_store(runtime).reader() as tx:
        items, total = queries.list_members(tx, list_name, domain, today, number, size)
        names = authority_names(runtime, tx, {i["authority"] for i in items})
    rows = [labelled(i, LISTING, names) for i in items]
    if wants_csv(request):
        return csv_response(LIST_COLUMNS, rows, f"{list_name}-{domain or 'all'}-{today}.csv")
    query = {k: v for k, v in (("domain", domain),
                               ("page_size", request.query_params.get("page_size"))) if v}
    return page(request, "list.html", heading=label(list_name, ListName), list_name=list_name,
                domain=domain, bad_domain=raw_domain is not None and domain is None, rows=rows,
                total=total, page=number, total_pages=pages(total, size),
                base=f"/lists/{list_name}?" + urlencode(query) + ("&" if query else ""),
                csv=f"/lists/{list_name}?" + urlencode(query | {"format": "csv"}))


def publicity_rows(items: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row = labelled(item, PENALTY, names) | {
            "kind_label": text_label(RECORD_KINDS, item["kind"]),
            "late_label": "逾期" if item["late"] else "按时"}
        if item["kind"] == "permit":
            row["status_label"] = label(item["status"], PermitStatus)
        rows.append(row)
    return rows


@router.get("/publicity")
def publicity_page(request: Request) -> Response:
    """Permits and penalties by authority, kind and decision date, newest first."""
    runtime = get_runtime(request)
    today = runtime.ledger.clock().isoformat()
    q = request.query_params
    authority = authority_param(q.get("authority"))
    kind = q.get("kind") if q.get("kind") in ("permit", "penalty") else None
    since, until = day(q.get("from")), day(q.get("to"))
    errors = [f"“{name}”不是有效日期（格式：2026-06-01）。" for name, raw, parsed in
              (("起始日期", q.get("from"), since), ("截止日期", q.get("to"), until))
              if raw and parsed is None]
    whole = wants_csv(request) and "page" not in q
    number, size = (1, None) if whole else (page_no(q.get("page")), page_size(q.get("page_size")))
    with view_store(runtime).reader() as tx:
        items, total = portal_reads.publicity(
            tx, today, authority=authority, kind=kind,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None, page=number, size=size)
        names = authority_names(runtime, tx, {i["authority"] for i in items} | {authority})
        choices = authority_choices(runtime, tx)
    rows = publicity_rows(items, names)
    if wants_csv(request):
        return csv_response(PUBLICITY_COLUMNS, rows[:CSV_ROWS], f"publicity-{today}.csv")
    query = {k: v for k, v in (("authority", authority), ("kind", kind),
                               ("from", since.isoformat() if since else None),
                               ("to", until.isoformat() if until else None)) if v}
    return page(request, "publicity.html", heading="双公示：行政许可和行政处罚", rows=rows,
                total=total, page=number, total_pages=pages(total, size or 1),
                authority=authority, kind=kind, since=since, until=until, errors=errors,
                choices=choices, base="/publicity?" + urlencode(query) + ("&" if query else ""),
                csv="/publicity?" + urlencode(query | {"format": "csv"}))


def authority_choices(runtime: Any, tx: Any) -> list[tuple[str, str]]:
    """The catalogue's authorities and any other that recorded a permit or penalty."""
    known = {a.code: a.name for a in catalogue(runtime)}
    codes = {r[0] for r in tx.fetchall(
        f"SELECT DISTINCT authority FROM {tx.t('timeliness_day')}")} - set(known)
    known |= {c: n for c, n in authority_names(runtime, tx, codes).items()}
    known |= {c: c for c in codes if c not in known}
    return sorted(known.items(), key=lambda item: item[1])


@router.get("/authorities")
def authorities_page(request: Request) -> Response:
    """Each authority's share published within 7 working days, and one's late records."""
    runtime = get_runtime(request)
    today = runtime.ledger.clock().isoformat()
    chosen = authority_param(request.query_params.get("authority"))
    number = page_no(request.query_params.get("page"))
    late: list[dict[str, Any]] = []
    late_total = 0
    with view_store(runtime).reader() as tx:
        rows = timeliness.VIEW.authorities(tx, today)
        if chosen:
            items, late_total = portal_reads.publicity(
                tx, today, authority=chosen, kind=None, since=None, until=None,
                page=number, size=20, late_only=True)
        else:
            items = []
        names = authority_names(runtime, tx, {r["authority"] for r in rows} | {chosen})
        late = publicity_rows(items, names)
    rows.sort(key=lambda r: (r["share"] if r["share"] is not None else 2, r["authority"]))
    return page(request, "authorities.html", heading="各部门双公示及时性", rows=rows,
                names=names, chosen=chosen, late=late, late_total=late_total, page=number,
                total_pages=pages(late_total, 20), target=timeliness.TARGET,
                base=f"/authorities?{urlencode({'authority': chosen or ''})}&")
