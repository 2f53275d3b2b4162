"""Public reads (no token): the county monitoring ranking (docs/adr/026)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import RuntimeDep
from api.geography import GeographyDep
from api.readiness import ViewsDep
from api.region_schemas import Monitoring
from api.routers.indicators import AsOf
from ledger.domain.regions import Geography
from ledger.runtime import Runtime
from projections import catalog
from projections.tx import Tx
from projections.views import indicators
from projections.views._regions import monitoring

router = APIRouter(prefix="/v1", tags=["public"])
CACHED = 32  # rankings kept (day x months x state of the views)
_lock = threading.Lock()


@router.get("/regions", response_model=Monitoring)
def region_ranking(
    views: ViewsDep, runtime: RuntimeDep, geography: GeographyDep, as_of: AsOf = None,
    # Each month is a scorecard per county: bounded, as anyone may ask (docs/adr/026).
    months: Annotated[int, Query(ge=1, le=12, description="Month ends in the rank history, "
                                                         "the last on `as_of`.")] = 3,
) -> dict[str, Any]:
    """Every county's scorecard side by side, each indicator ranked, and the ranking by month."""
    day = as_of or runtime.ledger.clock()
    with views.reader() as tx:
        return ranking(runtime, tx, geography, day, months)


def ranking(runtime: Runtime, tx: Tx, geography: Geography, day: date, months: int
            ) -> dict[str, Any]:
    """The monitoring ranking (projections.views._regions.monitoring), kept per day, months
    and state of the views (their offsets): the same views give the same ranking, so a public
    caller repeating the question, or the portal's page, costs one lookup."""
    cache: dict[Any, dict[str, Any]] = runtime.extras.setdefault("region_rankings", {})
    key = (day, months, tuple(sorted(catalog.offsets(tx, catalog.LIVE).items())))
    with _lock:
        found = cache.get(key)
    if found is None:
        found = monitoring(indicators.VIEW, tx, geography.table, geography.catalogue, day,
                           months)
        with _lock:
            if len(cache) >= CACHED:
                cache.clear()
            cache[key] = found
    return found
