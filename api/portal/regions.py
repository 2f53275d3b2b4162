"""`/regions`: the county monitoring ranking (区县信用监测排名, plan §9) as people read it — the
same ranking as `GET /v1/regions` (and the same kept answer), in Chinese (docs/adr/026)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import get_runtime
from api.geography import geography_of
from api.portal.charts import number
from api.portal.render import page
from api.routers.regions import ranking
from ledger.domain.labels import INDICATORS, text_label
from projections.storage import view_store

router = APIRouter(include_in_schema=False)
MONTHS = 6  # the rank history shown: half a year of month ends


@router.get("/regions")
def regions_page(request: Request) -> Response:
    """Each county's value and rank for every indicator, its overall rank, and the ranking at
    each of the last months' ends."""
    runtime = get_runtime(request)
    geography = geography_of(runtime)
    with view_store(runtime).reader() as tx:
        found = ranking(runtime, tx, geography, runtime.ledger.clock(), MONTHS)
    counties = sorted(found["regions"], key=lambda r: (r["rank"] or 10**6, r["code"]))
    names = {r["code"]: r["name"] for r in counties}
    rows: list[dict[str, Any]] = []
    for i, ind in enumerate(found["city"]["indicators"]):
        target = ind["target"]["value"] if ind["target"]["op"] != "falling" else None
        cells = [(number(c["indicators"][i]["value"], ind["unit"], target),
                  c["indicators"][i]["rank"]) for c in counties]
        rows.append({"id": ind["id"], "title": text_label(INDICATORS, ind["id"]),
                     "city": number(ind["value"], ind["unit"], target), "cells": cells})
    history = [{"month": m["month"],
                "ranks": {e["code"]: e["rank"] for e in m["ranking"]}}
               for m in found["history"]]
    return page(request, "regions.html", heading="区县信用监测排名", counties=counties,
                rows=rows, history=history, names=names, as_of=found["as_of"])
