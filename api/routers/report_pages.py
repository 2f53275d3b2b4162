"""The report verification page (/reports/verify): a person types or follows a report's code.

Server-rendered (Jinja2) in the portal's base template, no script. A code that is not well
formed answers 422 and one the ledger does not confirm 404, each a page saying so, never the
record behind it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep
from api.portal.render import page as portal_page
from api.report_desk import names, verify
from api.report_sections import sections
from ledger.domain.report_code import BadCode
from replay.credit_report import NotConfirmed

router = APIRouter(tags=["portal"], include_in_schema=False)


@router.get("/reports/verify", response_class=HTMLResponse, name="verify_page")
def verify_page(request: Request, runtime: RuntimeDep,
                code: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    """验证信用报告: what the report with this code contained, if the ledger confirms it."""
    page: dict[str, Any] = {"code": code or "", "problem": None, "verified": None}
    status = 200
    if code is not None and code.strip():
        try:
            found = verify(runtime, code)
        except BadCode as e:
            status, page["problem"] = 422, f"验证码格式不正确：{e.words}。"
        except NotConfirmed as e:
            status, page["problem"] = 404, f"账本未能确认此验证码：{e.words}。"
        else:
            page["verified"] = found
            page["code"] = found.report.code.grouped()
            page["sections"] = sections(found.report.content, names(runtime))
    # The portal's own rendering: its base template (header, navigation, footer).
    return portal_page(request, "verify.html", status, heading="验证信用报告", **page)
