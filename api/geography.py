"""The process's regions table and authority catalogue (docs/adr/026), built once from its
settings and kept with the runtime."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from api.deps import get_runtime
from ledger.build import build_geography
from ledger.domain.regions import Geography
from ledger.runtime import Runtime


def geography_of(runtime: Runtime) -> Geography:
    found: Geography | None = runtime.extras.get("geography")
    if found is None:
        found = runtime.extras["geography"] = build_geography(runtime.settings)
    return found


def get_geography(request: Request) -> Geography:
    return geography_of(get_runtime(request))


GeographyDep = Annotated[Geography, Depends(get_geography)]


def placed(geography: Geography, code: str, kind: str | None,
           authority: str | None) -> dict[str, Any]:
    """A profile's `region` and `region_label`; null for a code that is only a principal."""
    if kind is None or authority is None:
        return {"region": None, "region_label": None}
    region = geography.region_of(code, kind, authority)
    return {"region": region.code, "region_label": region.name}
