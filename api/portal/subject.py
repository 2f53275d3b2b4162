"""`/subjects/{code}`: a subject's public record in words — identity, lists with their basis
and removal conditions, permits, penalties in their publicity window, commitments, the score
explained line by line, and for each negative record whether and from when it can be repaired.

The profile is the API's own (api.routers.public.profile_of, labelled); the score is the
scores view's; the repair outlook is ledger.domain.repair_outlook, the rules an application
is judged by.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_runtime
from api.portal.render import not_found, page
from api.routers.public import profile_in, reading
from ledger.domain.labels import GRADES, SCORE_FAMILIES, SCORE_RULES, text_label
from ledger.domain.publicity import UnknownSeverity
from ledger.domain.repair import RepairPolicy, Target
from ledger.domain.repair_outlook import Outlook, outlook
from ledger.domain.scoring import BASE_RULE, CLAMP_RULE, Contribution, Score
from ledger.identity import path_code
from projections.storage import view_store
from projections.views import scores

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/subjects/{code}")
def subject_page(code: str, request: Request) -> Response:
    """One subject's public credit record, in Chinese."""
    runtime = get_runtime(request)
    code = path_code(code)
    today = runtime.ledger.clock()
    # One pooled connection for both reads; on PostgreSQL each statement is its own snapshot
    # (no BEGIN and COMMIT round trips): the score may be a moment newer than the profile.
    with reading(view_store(runtime)) as tx:
        profile = profile_in(runtime, tx, code, today.isoformat())
        score = None if profile is None else scores.VIEW.score(tx, code, today.isoformat())
    if profile is None:
        return not_found(request, "没有这个统一社会信用代码或编号的信用主体。")
    policy = runtime.ledger.policy
    for row in profile["penalties"]:
        row["outlook"] = describe(penalty_outlook(row, today, policy))
    for row in profile["lists"]:
        if row["list"] != "red":
            row["outlook"] = describe(listing_outlook(row, today, policy))
    for row in profile.get("government_defaults") or ():
        row["state"] = default_state(row, today)
        row["amount_text"] = amount_words(row.get("amount"))
    return page(request, "subject.html", heading=profile.get("name") or code, p=profile,
                score=score_words(score, profile) if score else None)


def penalty_outlook(row: dict[str, Any], today: date, policy: RepairPolicy) -> Outlook | None:
    details = row.get("details") or {}
    try:
        return outlook(Target("penalty", row["decision_no"], row["authority"],
                              row.get("domain") or "", True,
                              date.fromisoformat(row["decided_on"]),
                              severity=row.get("severity") or "general",
                              special=bool(details.get("special")),
                              violation_type=details.get("violation_type")), today, policy)
    except (UnknownSeverity, ValueError, TypeError):
        return None  # a record the rules cannot read says nothing rather than something wrong


def listing_outlook(row: dict[str, Any], today: date, policy: RepairPolicy) -> Outlook | None:
    try:
        expires = row.get("expires_on")
        return outlook(Target("listing", row["listing_id"], row["authority"], row["domain"],
                              True, date.fromisoformat(row["listed_on"]), list=row["list"],
                              expires_on=date.fromisoformat(expires) if expires else None),
                       today, policy)
    except (ValueError, TypeError):
        return None


def describe(found: Outlook | None) -> dict[str, str] | None:
    """The outlook in one sentence, with its state for styling and tests."""
    if found is None:
        return None
    until = f"，{found.until} 到期后自动停止公示" if found.until else ""
    text = {
        "now": f"现在可以申请信用修复（最短公示期已于 {found.from_on} 届满）{until}。",
        "later": f"自 {found.from_on} 起可以申请信用修复{until}。",
        "never": f"属于特别严重失信行为，不予修复{until}。",
        "expires": f"不适用信用修复：将于 {found.until} 到期自动停止公示。",
        "none": "无需修复。",
    }[found.state]
    return {"state": found.state, "text": text}


def default_state(row: dict[str, Any], today: date) -> dict[str, str]:
    """A government default's rectification in words: done (in time or late), open within its
    deadline, or open past it (overdue)."""
    deadline = row.get("deadline")
    if row.get("status") == "rectified":
        in_time = row.get("in_time")
        timing = "" if in_time is None else "，按期整改" if in_time else "，逾期整改"
        return {"state": "rectified", "text": f"已整改（{row.get('rectified_on')}{timing}）"}
    if deadline and deadline < today.isoformat():
        return {"state": "overdue", "text": f"逾期未整改（整改期限 {deadline} 已过）"}
    return {"state": "open", "text": "未整改（在整改期限内）"}


def amount_words(amount: Any) -> str:
    """An amount in yuan with thousands separators; none for a default without one."""
    try:
        return f"{Decimal(str(amount)):,.2f} 元" if amount is not None else "—"
    except InvalidOperation:
        return str(amount)


def record_words(c: Contribution, profile: dict[str, Any]) -> str:
    """What record a contribution comes from, in words."""
    kind, _, rest = c.key.partition("|")
    if kind == "penalty":
        return f"行政处罚决定书 {rest.partition('|')[2]}"
    if kind == "permit":
        return f"行政许可决定 {rest.partition('|')[2]}"
    if kind == "listing":
        found = next((r for r in profile["lists"] if r["listing_id"] == rest), None)
        return f"{found['list_label']}（{found['domain_label']}领域）" if found else "名单认定"
    if kind == "commitment":
        return f"信用承诺 {rest}"
    return ""


def score_words(score: Score, profile: dict[str, Any]) -> dict[str, Any]:
    """The score, its grade, and each line of its explanation as a sentence."""
    lines = []
    for c in score.explanation:
        if c.rule == BASE_RULE:
            text = f"基础分 {c.points} 分（评分模型 {c.model_version} 版）。"
        elif c.rule == CLAMP_RULE:
            text = f"分值超出评分范围，调整 {c.points:+d} 分。"
        else:
            record = record_words(c, profile)
            text = (f"{text_label(SCORE_RULES, c.rule)}：{c.points:+d} 分"
                    f"{'，' + record if record else ''}，自 {c.on} 起计（规则 {c.rule}，"
                    f"{c.model_version} 版）。")
        lines.append({"points": c.points, "rule": c.rule, "text": text})
    return {"score": score.score, "grade": score.grade,
            "grade_label": text_label(GRADES, score.grade), "poor": score.poor,
            "family": text_label(SCORE_FAMILIES, score.family), "lines": lines,
            "scale": score.scale}
