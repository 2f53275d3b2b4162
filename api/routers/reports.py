"""Credit reports (信用报告): the PDF of a subject's public record, and verifying its code."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel

from api.deps import RuntimeDep
from api.report_desk import cut_now, names, verify
from api.report_font import FontMissing
from api.report_pdf import render
from ledger.domain.errors import DomainError, NotFound
from ledger.domain.report_code import BadCode
from ledger.identity import path_code
from replay.credit_report import NotConfirmed

router = APIRouter(prefix="/v1", tags=["reports"])
RENDERS = threading.BoundedSemaphore(2)
RENDER_WAIT_S = 10.0

CODE = Query(min_length=1, max_length=100,
             description="The verification code printed on the report (hyphens and case "
                         "ignored).")


class BadReportCode(DomainError):
    """Not a verification code this ledger makes: mistyped, cut short or made up."""

    rule = "report_code"


class ReportCheckpoint(BaseModel):
    believed: bool
    problem: str | None
    position: int | None = None
    events: int | None = None
    signed_at: str | None = None
    key_id: str | None = None
    recorded_at: int | None = None


class ReportVerification(BaseModel):
    """A report the ledger confirms: what it contained, and the checkpoint that covers it."""

    code: str
    grouped: str
    subject: str
    position: int
    day: date
    confirmed: bool
    report: dict[str, Any]
    checkpoint: ReportCheckpoint | None


@router.get("/subjects/{code}/report.pdf", response_class=Response, responses={
    200: {"content": {"application/pdf": {}},
          "description": "The report; its verification code also in `X-Report-Code`"},
    404: {"description": "No subject with this code"},
    503: {"description": "No CJK font installed to embed (see the detail), or too many "
                         "reports being made at once (Retry-After)"}})
def subject_report(code: str, request: Request, runtime: RuntimeDep) -> Response:
    """The subject's credit report as a PDF in Chinese, stamped with a verification code."""
    report = cut_now(runtime, path_code(code))
    text = report.code.text()
    url = str(request.url_for("verify_page").include_query_params(code=text))
    # Rendering is CPU-bound (the font's parsing and subsetting, docs/adr/025): a few at a
    # time, so that a burst of downloads cannot starve the API's other requests.
    if not RENDERS.acquire(timeout=RENDER_WAIT_S):
        raise HTTPException(503, "too many credit reports being made; try again shortly",
                            headers={"Retry-After": "2"})
    try:
        body = render(report, font=runtime.settings.report_font, made_at=datetime.now(UTC),
                      verify_url=url, authority=names(runtime))
    except FontMissing as e:
        raise HTTPException(503, str(e)) from None
    finally:
        RENDERS.release()
    filename = f"credit-report-{report.code.subject}-{report.code.day.isoformat()}.pdf"
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Report-Code": text, "Cache-Control": "no-store"})


@router.get("/reports/verify", response_model=ReportVerification,
            responses={404: {"description": "The ledger does not confirm this code"}})
def verify_report(runtime: RuntimeDep, code: Annotated[str, CODE]) -> dict[str, Any]:
    """What the report with this code contained, if the ledger still says the same."""
    try:
        return verify(runtime, code).public()
    except BadCode as e:
        raise BadReportCode(str(e), field="code") from None
    except NotConfirmed as e:
        raise NotFound(f"no report matches this code: {e}", field="code") from None
