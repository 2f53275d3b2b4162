"""A credit report's content in words: the sections both the PDF and the verify page show.

Every code is shown by its Chinese label (ledger.domain.labels) and every authority by name
where the catalogue knows it. The digest covers the codes, not these words (docs/adr/025).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledger.domain.labels import GRADES, SCORE_RULES, label, text_label
from ledger.domain.vocabulary import (
    CommitmentStatus,
    CommitmentType,
    Domain,
    ListName,
    PermitStatus,
    Severity,
    SubjectKind,
)

Names = Callable[[str | None], str]
Pair = tuple[str, str]
NONE = "无"


@dataclass(frozen=True)
class Section:
    heading: str
    records: list[list[Pair]]
    lines: list[str] = field(default_factory=list)  # free lines after the records


def sections(c: dict[str, Any], authority: Names) -> list[Section]:
    """The report's sections, in order, with every value in words."""
    score = c["score"]
    return [
        Section("一、主体身份", [_identity(c["subject"], authority)]),
        Section("二、红名单、黑名单与重点关注名单", _lists(c["lists"], authority)),
        Section(_counted("三、行政处罚（公示期内）", c["penalties"], c["penalties_total"]),
                _penalties(c["penalties"], authority)),
        Section(_counted("四、行政许可", c["permits"], c["permits_total"]),
                _permits(c["permits"], authority)),
        Section(_counted("五、信用承诺", c["commitments"], c["commitments_total"]),
                _commitments(c["commitments"], authority)),
        Section("六、公共信用评分", [_score(score)] if score else [],
                _explanation(score) if score else []),
        Section("七、记录核验", [[("主体事件数", str(c["record"]["events"])),
                                 ("链末哈希", c["record"]["head_hash"] or NONE)]]),
    ]


def _counted(heading: str, rows: list[Any], total: int) -> str:
    return heading if total <= len(rows) else f"{heading}（共 {total} 条，列出最近 {len(rows)} 条）"


def _l(value: str | None, enum: type[StrEnum]) -> str:
    return label(value, enum) if value else NONE


def _identity(s: dict[str, Any], authority: Names) -> list[Pair]:
    person = s["code"].startswith("p-")
    pairs = [("名称", s["name"] or NONE),
             ("主体标识" if person else "统一社会信用代码", s["code"])]
    if s.get("masked"):
        pairs.append(("身份证号", f"{s['masked']}（已脱敏）"))
    return [*pairs, ("主体类别", _l(s["kind"], SubjectKind)),
            ("登记日期", s["registered_on"] or NONE), ("登记机关", authority(s["authority"]))]


def _lists(rows: list[dict[str, Any]], authority: Names) -> list[list[Pair]]:
    return [[("名单", _l(r["list"], ListName)), ("领域", _l(r["domain"], Domain)),
             ("认定机关", authority(r["authority"])), ("认定依据", r["basis"] or NONE),
             ("列入日期", r["listed_on"] or NONE), ("有效期至", r["expires_on"] or "未设期限"),
             ("移出条件", r["removal_conditions"] or NONE)] for r in rows]


def _penalties(rows: list[dict[str, Any]], authority: Names) -> list[list[Pair]]:
    return [[("决定书文号", r["decision_no"]), ("处罚机关", authority(r["authority"])),
             ("严重程度", _l(r["severity"], Severity)), ("领域", _l(r["domain"], Domain)),
             ("处罚类别", r["category"] or NONE), ("处罚依据", r["basis"] or NONE),
             ("决定日期", r["decided_on"]),
             ("公示期", f"最短至 {r['publicity_min_until'] or NONE}，"
                        f"最长至 {r['publicity_max_until'] or NONE}")] for r in rows]


def _permits(rows: list[dict[str, Any]], authority: Names) -> list[list[Pair]]:
    return [[("许可文号", r["decision_no"]), ("许可机关", authority(r["authority"])),
             ("许可类别", r["category"] or NONE), ("决定日期", r["decided_on"]),
             ("状态", _l(r["status"], PermitStatus)
              + (f"（{r['revoked_on']} 撤销）" if r["revoked_on"] else ""))] for r in rows]


def _commitments(rows: list[dict[str, Any]], authority: Names) -> list[list[Pair]]:
    return [[("承诺类型", _l(r["type"], CommitmentType)), ("受诺机关", authority(r["authority"])),
             ("作出日期", r["made_on"]), ("履约期限", r["due_on"] or NONE),
             ("承诺内容", r["content"] or NONE),
             ("状态", _l(r["status"], CommitmentStatus)
              + (f"（{r['settled_on']}）" if r["settled_on"] else ""))] for r in rows]


def _score(s: dict[str, Any]) -> list[Pair]:
    grade = text_label(GRADES, s["grade"]) + ("（较差档次）" if s["poor"] else "")
    family = "法人和非法人组织" if s["family"] == "enterprise" else "自然人"
    return [("评分", f"{s['score']} 分"), ("等级", grade),
            ("评分模型", f"{family}模型 {s['model_version']}")]


def _explanation(s: dict[str, Any]) -> list[str]:
    """The score in words, one line per contribution: base first, then by date."""
    lines = ["评分说明："]
    for line in s["explanation"]:
        points = line["points"]
        sign = "+" if points >= 0 and line["rule"] != "BASE" else ""
        rule = text_label(SCORE_RULES, line["rule"])
        lines.append(f"{sign}{points} 分  {rule}（{line['on'] or NONE}）")
    return lines
