"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import RuntimeDep
from api.read_schemas import Readiness
from api.responses import OrjsonResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not ready: a check failed"}})
def readyz(runtime: RuntimeDep) -> OrjsonResponse:
    """The store answers, and Kafka too when configured; background services report lag."""
    checks: dict[str, Any] = runtime.readiness()
    ready = all(c.get("ok", True) for c in checks.values())
    return OrjsonResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
