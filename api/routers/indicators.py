"""Public reads (no token): scores with their explanation, repair ratios, timeliness, indicators."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import RuntimeDep
from api.geography import GeographyDep
from api.labelled import DOMAIN, NAMES_ONLY, authority_names, labelled, one_label
from api.read_schemas import RepairRatios, Scorecard, TimelinessPage
from api.readiness import ViewsDep
from ledger.contracts.fields import IsoDate
from ledger.domain.errors import NotFound
from ledger.domain.labels import GRADES, RECORD_KINDS, SCORE_RULES, text_label
from ledger.domain.scoring import Contribution
from ledger.domain.vocabulary import Domain
from ledger.identity import path_code
from ledger.runtime import Runtime
from projections.tx import Tx
from projections.views import indicators, repair_ratios, scores, timeliness
from projections.views._regions import Counties

router = APIRouter(prefix="/v1", tags=["public"])

PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")]
AsOf = Annotated[IsoDate | None, Query(description="Business date to read as of (default "
                                                   "today), from 1949-10-01 to 2099-12-31.")]


class ContributionPublic(BaseModel):
    """One line of a score's explanation: points, the rule and model version, and the event."""

    points: int
    rule: str
    rule_label: str
    model_version: str
    record: str
    on: str
    event: dict[str, Any] | None


class ScorePublic(BaseModel):
    code: str
    family: str
    scale: str
    model_version: str
    score: int
    grade: str
    grade_label: str
    poor: bool
    as_of: date | None
    explanation: list[ContributionPublic]
    page: int
    page_size: int
    total: int


def line(c: Contribution) -> ContributionPublic:
    event = ({"id": c.event_id, "type": c.type, "stream": c.stream, "version": c.version}
             if c.event_id else None)
    return ContributionPublic(points=c.points, rule=c.rule,
                              rule_label=text_label(SCORE_RULES, c.rule),
                              model_version=c.model_version,
                              record=c.key, on=c.on, event=event)


@router.get("/subjects/{code}/score", response_model=ScorePublic,
            responses={404: {"description": "No subject with this code (on that date)"}})
def subject_score(
    code: str, views: ViewsDep, runtime: RuntimeDep, as_of: AsOf = None, page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=500, description="Explanation lines per page.")]
    = 100,
) -> ScorePublic:
    """A subject's score and grade (or band), with the contributions that sum to it."""
    code = path_code(code)
    # Today by default, as the profile: what has lapsed by then counts no more.
    day = as_of or runtime.ledger.clock()
    with views.reader() as tx:
        found = scores.VIEW.score(tx, code, day.isoformat())
    if found is None:
        # The code is not echoed: a resident ID number typed into the URL must not come back.
        when = f" on {as_of}" if as_of else ""
        raise NotFound(f"no subject with this code{when}", field="code")
    lines = found.explanation[(page - 1) * page_size: page * page_size]
    return ScorePublic(code=code, family=found.family, scale=found.scale,
                       model_version=found.model_version, score=found.score, grade=found.grade,
                       grade_label=text_label(GRADES, found.grade),
                       poor=found.poor, as_of=day, explanation=[line(c) for c in lines],
                       page=page, page_size=page_size, total=len(found.explanation))


@router.get("/ratios/repair", response_model=RepairRatios)
def repair_ratio(views: ViewsDep, runtime: RuntimeDep, domain: Domain | None = None,
                 as_of: AsOf = None) -> dict[str, Any]:
    """Per domain: black-listed subjects, exits by repair and repair coverage, against targets."""
    day = as_of or runtime.ledger.clock()
    with views.reader() as tx:
        domains = repair_ratios.VIEW.ratios(tx, day.isoformat(), domain.value if domain else None)
    return {"as_of": day, "targets": repair_ratios.TARGETS,
            "domains": [labelled(d, DOMAIN) for d in domains]}


@router.get("/publicity/timeliness", response_model=TimelinessPage)
def publicity_timeliness(
    views: ViewsDep, runtime: RuntimeDep,
    authority: Annotated[str | None, Query(min_length=1, max_length=64,
                                           description="One authority's code.")] = None,
    as_of: AsOf = None, page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=100, description="At most 100 per page.")] = 20,
) -> dict[str, Any]:
    """Per authority: permits and penalties recorded, published within 7 working days, share."""
    day = as_of or runtime.ledger.clock()
    with views.reader() as tx:
        rows = timeliness.VIEW.authorities(tx, day.isoformat(),
                                           authority.strip().upper() if authority else None)
        rows = label_timeliness(runtime, tx, rows)
    return {"as_of": day, "target": timeliness.TARGET, "page": page, "page_size": page_size,
            "total": len(rows), "items": rows[(page - 1) * page_size: page * page_size]}


def label_timeliness(runtime: Runtime, tx: Tx, rows: list[dict[str, Any]],
                     ) -> list[dict[str, Any]]:
    """Authorities by name beside their code, kinds of record by label."""
    names = authority_names(runtime, tx, {r["authority"] for r in rows})
    return [labelled(r, NAMES_ONLY, names) | {"by_kind": {
        k: v | {"kind_label": one_label(RECORD_KINDS, k)} for k, v in r["by_kind"].items()}}
        for r in rows]


@router.get("/indicators", response_model=Scorecard,
            responses={404: {"description": "No region with this code"}})
def indicator_scorecard(
    views: ViewsDep, runtime: RuntimeDep, geography: GeographyDep, as_of: AsOf = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{6}$", description=(
        "One county's scorecard (a code of the regions table, GET /v1/regions); default the "
        "whole city."))] = None,
) -> dict[str, Any]:
    """Every measurable target of the plan, with value, target and pass/fail, as of a date."""
    day = as_of or runtime.ledger.clock()
    table = geography.table
    found = table.city if region is None else table.get(region)
    if found is None:
        known = ", ".join(r.code for r in table)
        raise NotFound(f"no region {region!r}; known: {known}", field="region")
    with views.reader() as tx:
        card = Counties(indicators.VIEW, tx, table, geography.catalogue).card(
            found, day.isoformat())
    return {"as_of": day, "indicators": card,
            "passed": sum(1 for i in card if i["passed"]),
            "failed": sum(1 for i in card if i["passed"] is False),
            "region": found.code, "region_label": found.name, "population": found.population}
