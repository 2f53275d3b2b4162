"""Public reads (no token): the county monitoring ranking (docs/adr/026)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import RuntimeDep
from api.geography import GeographyDep
from api.readiness import ViewsDep
from api.region_schemas import Monitoring
from api.routers.indicators import AsOf
from projections.views import indicators
from projections.views._regions import monitoring

router = APIRouter(prefix="/v1", tags=["public"])


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
        return monitoring(indicators.VIEW, tx, geography.table, geography.catalogue, day,
                          months)
