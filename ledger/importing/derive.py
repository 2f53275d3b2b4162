"""What a template row lacks, derived, each derivation recorded in the event's `derived` map.

- the subject's kind from its USCC's category characters (or natural_person for an ID number);
- the domain from `--domain`, else the authority's default domain in the authority catalogue;
- the severity from 处罚类别 and the amounts (ledger.domain.penalty_severity);
- the publication date: the day of the import, when the file does not say.

A column that states the value (行政相对人类别 naming a kind, 领域, 严重程度, 公示日期) wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.labels import labels_of, normalise
from ledger.domain.penalty_severity import severity_of
from ledger.domain.resident_id import id_shaped
from ledger.domain.uscc import kind_of_uscc
from ledger.domain.vocabulary import PERSON_KINDS, Domain, SubjectKind
from ledger.importing.rows import RowError
from ledger.importing.templates import GENERIC_PARTY_KINDS

# A person's kind, as a code or its label: the summary-procedure ceiling is lower for persons.
_PERSON_WORDS = frozenset(k.value for k in PERSON_KINDS) | frozenset(
    labels_of(SubjectKind)[k.value] for k in PERSON_KINDS)


@dataclass(frozen=True)
class TemplateContext:
    """What derivations read besides the row: the import's day, `--domain`, the catalogue, and
    the authority rows without their own authority column are recorded under."""

    today: date
    domain: Domain | None = None
    authorities: AuthorityCatalogue = field(default_factory=lambda: AuthorityCatalogue([]))
    authority: str | None = None


def derive(record: dict[str, Any], derived: dict[str, str], ctx: TemplateContext) -> None:
    """Fill in the kind, and for penalties the domain and severity, and the publication day."""
    _kind(record, derived)
    if record["record"] == "penalty":
        _domain(record, derived, ctx)
        _severity(record, derived)
    if "published_on" not in record:
        # The platform publishes the record the day it receives it: that is the day the
        # department's publication is measured by (timeliness).
        record["published_on"] = ctx.today.isoformat()
        derived["published_on"] = "import_day"


def _kind(record: dict[str, Any], derived: dict[str, str]) -> None:
    stated = record.get("party_kind")
    subject = record.get("subject", "")
    by_code = kind_of_uscc(subject) if len(subject) == 18 and not id_shaped(subject) else None
    if stated is not None and stated not in GENERIC_PARTY_KINDS:
        return  # a kind named (个体工商户, 自然人, a code): validated as the API would
    if "party_name" not in record:
        record.pop("party_kind", None)  # nothing to register with: the subject must exist
        return
    if by_code is not None:
        record["party_kind"] = by_code
        derived["party_kind"] = f"uscc:{subject[:2]}"
    elif id_shaped(subject):
        record["party_kind"] = SubjectKind.NATURAL_PERSON.value
        derived["party_kind"] = "resident_id"
    elif stated is not None:
        record["party_kind"] = normalise(SubjectKind, stated)  # 法人及非法人组织 → enterprise


def _domain(record: dict[str, Any], derived: dict[str, str], ctx: TemplateContext) -> None:
    if "domain" in record:
        return
    if ctx.domain is not None:
        record["domain"], derived["domain"] = ctx.domain.value, "--domain"
        return
    authority = str(record.get("authority") or ctx.authority or "").strip().upper()
    default = ctx.authorities.default_domain(authority)
    if default is None:
        raise RowError([("domain", "the file has no 领域 column, no --domain was given, and "
                                   f"authority {authority or '(none)'} has no default domain "
                                   "in the authority catalogue (LEDGER_AUTHORITIES_FILE)")])
    record["domain"], derived["domain"] = default.value, f"authority:{authority}"


def _severity(record: dict[str, Any], derived: dict[str, str]) -> None:
    if "severity" in record:
        return
    person = (record.get("party_kind") in _PERSON_WORDS
              or id_shaped(record.get("subject", "")))
    categories = [record.get("category", ""), record.get("template_details", {})
                  .get("category_2", "")]
    rule = severity_of(categories, _amount(record.get("fine_amount")),
                       _amount(record.get("confiscation_amount")), person=person)
    record["severity"], derived["severity"] = rule.severity.value, rule.rule


def _amount(text: Any) -> Decimal | None:
    try:
        return None if text is None else Decimal(str(text))
    except InvalidOperation:
        return None  # refused by validation, naming the field
