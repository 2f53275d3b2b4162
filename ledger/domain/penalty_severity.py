"""The severity of a penalty that its file does not state, read from its categories and amounts.

The national double-publicity templates carry 处罚类别 (the kinds of penalty of 《行政处罚法》
(2021) art. 9) and the amounts, but no severity, which the ledger needs for the publicity
window (NDRC Order No. 36 of 2025). This table is the documented default (docs/import.md,
docs/adr/020): a file's 严重程度 column, or the field in an NDJSON record or an API body,
always wins over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ledger.domain.vocabulary import Severity

# (words in 处罚类别, severity), most severe first: the most severe category of a record
# decides, as the longest publicity period wins when a decision imposes several penalties.
CATEGORY_RULES: tuple[tuple[str, Severity], ...] = (
    ("吊销", Severity.SERIOUS),  # 吊销许可证件 / 吊销营业执照
    ("责令关闭", Severity.SERIOUS),
    ("限制从业", Severity.SERIOUS),
    ("停产停业", Severity.SERIOUS),  # 责令停产停业
    ("限制开展生产经营活动", Severity.SERIOUS),
    ("行政拘留", Severity.SERIOUS),
    ("暂扣", Severity.GENERAL),  # 暂扣许可证件
    ("降低资质等级", Severity.GENERAL),
    ("没收", Severity.GENERAL),  # 没收违法所得、没收非法财物
    ("罚款", Severity.GENERAL),
    ("通报批评", Severity.MINOR),
    ("警告", Severity.MINOR),
)
# A fine plus confiscation of at least this many yuan is serious, whatever the category.
SERIOUS_AMOUNT = Decimal(1_000_000)
# A fine alone, nothing confiscated, at most the summary-procedure ceiling (《行政处罚法》
# art. 51: 200 yuan for a person, 3,000 for an organisation) is minor: the "较低数额罚款" that
# the credit-repair rules treat as minor dishonesty.
MINOR_FINE_PERSON = Decimal(200)
MINOR_FINE_ORGANISATION = Decimal(3_000)
UNMATCHED = Severity.GENERAL  # 其他, or words the table does not know
_RANK = {Severity.MINOR: 0, Severity.GENERAL: 1, Severity.SERIOUS: 2}


@dataclass(frozen=True)
class Derived:
    """A severity and the rule that gave it, as recorded in the event's `derived` map."""

    severity: Severity
    rule: str


def severity_of(categories: Iterable[str], fine: Decimal | None = None,
                confiscated: Decimal | None = None, *, person: bool = False) -> Derived:
    """The severity the rule table gives a penalty of these categories and amounts (yuan)."""
    text = " ".join(categories)
    matched = [(word, severity) for word, severity in CATEGORY_RULES if word in text]
    total = (fine or Decimal(0)) + (confiscated or Decimal(0))
    if total >= SERIOUS_AMOUNT:
        return Derived(Severity.SERIOUS, f"amount>={SERIOUS_AMOUNT}")
    if not matched:
        return Derived(UNMATCHED, "category:unmatched")
    word, severity = max(matched, key=lambda m: _RANK[m[1]])
    ceiling = MINOR_FINE_PERSON if person else MINOR_FINE_ORGANISATION
    fines_only = {w for w, _ in matched} <= {"罚款", "警告", "通报批评"}
    if (severity is Severity.GENERAL and fines_only and not confiscated and fine is not None
            and fine <= ceiling):
        return Derived(Severity.MINOR, f"fine<={ceiling}")
    return Derived(severity, f"category:{word}")
