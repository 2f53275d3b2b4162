"""`/repair` (how credit repair works here, and a case's status by case id plus subject code)
and `/indicators` (the demonstration-city scorecard, with each target's trend drawn as SVG).

The repair guide is read from the rules themselves (ledger.domain.publicity's rule sets, the
process's RepairPolicy), so the page says what the ledger enforces. A case is shown only to
whoever names both its id and its subject: one answer for "no such case" and "not yours".
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_runtime
from api.geography import geography_of
from api.portal.charts import number, trend_svg
from api.portal.render import page
from ledger.domain.errors import DomainError
from ledger.domain.labels import INDICATORS, REPAIR_STEPS, label, text_label
from ledger.domain.publicity import RULES, PublicityRule, add_months
from ledger.domain.repair_case import RepairCase
from ledger.domain.vocabulary import Domain, ListName, RepairStatus, Severity
from ledger.identity import path_code
from ledger.runtime import Runtime
from ledger.store.notifications import envelope_from_stored
from projections.storage import view_store
from projections.views import indicators
from projections.views._regions import Counties

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
TREND_POINTS = 6  # today and the five quarters before
CACHE_SECONDS = 300.0  # a past day's scorecard, kept this long
OPS = {">=": "≥", ">": "＞", "<": "＜", "falling": "逐年下降"}
_lock = threading.Lock()


@router.get("/repair")
def repair_page(request: Request) -> Response:
    """The repair guide, and the status of one case when its id and subject are given."""
    runtime = get_runtime(request)
    policy = runtime.ledger.policy
    case_id = (request.query_params.get("case") or "").strip()[:64]
    subject = (request.query_params.get("subject") or "").strip()[:64]
    case, missing = None, False
    if case_id or subject:
        case = case_for(runtime, case_id, subject)
        missing = case is None
    rules = [{"name": r.name, "period": period, "months": [
        (label(sev, Severity), lo, hi) for sev, (lo, hi) in r.months.items()]}
        for r, period in rule_periods()]
    listings = [(label(n, ListName), policy.listing_min_months.get(n.value),
                 policy.listing_max_months.get(n.value))
                for n in (ListName.BLACK, ListName.KEY_ATTENTION)]
    return page(request, "repair.html", heading="信用修复", rules=rules, listings=listings,
                policy=policy, case=case, missing=missing, case_id=case_id,
                subject=subject if not missing else "")


def rule_periods() -> list[tuple[PublicityRule, str]]:
    """Each publicity rule set with the decision dates it governs, in words; the oldest
    reaches back indefinitely (ledger.domain.publicity.rule_for)."""
    ordered = sorted(RULES, key=lambda r: r.effective_from)
    out = []
    for i, rule in enumerate(ordered):
        after = ordered[i + 1].effective_from if i + 1 < len(ordered) else None
        since = "" if i == 0 else f"{rule.effective_from} 起"
        until = f"{after} 前" if after else ""
        out.append((rule, "，".join(p for p in (since, until) if p) or "全部"))
    return out


def case_for(runtime: Runtime, case_id: str, subject: str) -> dict[str, Any] | None:
    """The case, as the public may read it, if `subject` is its subject; else None."""
    if not case_id or not subject:
        return None
    try:
        case = runtime.ledger.repair_case(case_id)
    except DomainError:
        return None
    if case.subject != path_code(subject):
        return None
    return public_case(runtime, case)


def public_case(runtime: Runtime, case: RepairCase) -> dict[str, Any]:
    steps = [envelope_from_stored(e.topic, e.originator_id, e.originator_version, e.state, None)
             for e in runtime.ledger.recorder.select_events(case.id)]
    return {"id": str(case.id), "subject": case.subject,
            "status": label(case.status.value, RepairStatus),
            "status_code": case.status.value,
            "target": ("行政处罚 " if case.target_kind == "penalty" else "名单认定 ")
            + case.target_id,
            "domain": label(case.domain, Domain), "applied_on": case.applied_on,
            "accepted_on": case.accepted_on, "decision_due": case.decision_due,
            "decided_on": case.decided_on, "informed_on": case.informed_on,
            "steps": [(str(s["occurred_at"])[:10], text_label(REPAIR_STEPS, s["type"]))
                      for s in steps]}


@router.get("/indicators")
def indicators_page(request: Request) -> Response:
    """Each target of the plan: its value, whether it is met, and its trend over 15 months."""
    runtime = get_runtime(request)
    today = runtime.ledger.clock()
    days = [add_months(today, -3 * k) for k in range(TREND_POINTS - 1, -1, -1)]
    cards = [card_on(runtime, d, live=d == today) for d in days]
    rows = []
    for ind in cards[-1]:
        history = [(d.isoformat(), _value(c, ind["id"])) for d, c in zip(days, cards,
                                                                          strict=True)]
        target = ind["target"]["value"] if ind["target"]["op"] != "falling" else None
        rows.append({
            "id": ind["id"], "title": text_label(INDICATORS, ind["id"]),
            "value": number(ind["value"], ind["unit"], target),
            "target": OPS.get(ind["target"]["op"], ind["target"]["op"]) + (
                "" if target is None else " " + number(target, ind["unit"], target)),
            "passed": ind["passed"],
            "chart": trend_svg(f"trend-{ind['id']}", text_label(INDICATORS, ind["id"]),
                               history, target, ind["unit"])})
    passed = sum(1 for r in rows if r["passed"])
    failed = sum(1 for r in rows if r["passed"] is False)
    return page(request, "indicators.html", heading="社会信用体系建设示范城市指标",
                rows=rows, passed=passed, failed=failed)


def _value(card: list[dict[str, Any]], id_: str) -> float | None:
    found = next((i for i in card if i["id"] == id_), None)
    return None if found is None else found["value"]


def card_on(runtime: Runtime, day: date, *, live: bool) -> list[dict[str, Any]]:
    """The scorecard as of `day`; a past day's is kept a few minutes (it rarely changes, and
    the page reads six of them)."""
    cache: dict[str, tuple[float, list[dict[str, Any]]]] = runtime.extras.setdefault(
        "portal_scorecards", {})
    key = day.isoformat()
    with _lock:
        hit = cache.get(key)
    if hit is not None and not live and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    geography = geography_of(runtime)
    with view_store(runtime).reader() as tx:  # the city's card, as GET /v1/indicators gives it
        card = Counties(indicators.VIEW, tx, geography.table, geography.catalogue).card(
            geography.table.city, key)
    with _lock:
        if len(cache) > 64:
            cache.clear()
        cache[key] = (time.monotonic(), card)
    return card
