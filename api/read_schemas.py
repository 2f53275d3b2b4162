"""Public schemas of the reads that the views answer as plain dicts: what the contract promises.

The routes return the same dicts as before; FastAPI validates them against these models, and
tests/e2e/test_contract.py checks real answers against the published schemas.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledger.contracts.fields import SubjectCode


class Judged(BaseModel):
    """A count's share of a total against its target; `passed` is null while nothing counts."""

    count: int
    value: float | None
    target: float
    passed: bool | None


class DomainRatios(BaseModel):
    domain: str
    black_listed: int
    still_listed: int
    ratios: dict[str, Judged]


class RepairRatios(BaseModel):
    as_of: date
    targets: dict[str, float]
    domains: list[DomainRatios]


class Timeliness(BaseModel):
    recorded: int
    on_time: int
    late: int
    share: float | None
    target: float
    passed: bool | None


class AuthorityTimeliness(Timeliness):
    authority: str
    by_kind: dict[str, Timeliness]


class TimelinessPage(BaseModel):
    as_of: date
    target: float
    page: int
    page_size: int
    total: int
    items: list[AuthorityTimeliness]


class Target(BaseModel):
    op: str
    value: float | None


class Indicator(BaseModel):
    id: str
    title: str
    unit: str
    value: float | None
    target: Target
    passed: bool | None
    detail: dict[str, Any]


class Scorecard(BaseModel):
    as_of: date
    indicators: list[Indicator]
    passed: int
    failed: int


class ProfilePublic(BaseModel):
    """A subject's public profile; the lists of records are as the views keep them."""

    model_config = ConfigDict(extra="allow")

    code: SubjectCode
    name: str | None
    kind: str | None
    masked: str | None = None
    registered_on: date | None
    authority: str | None
    registered: bool
    as_of: date
    lists: list[dict[str, Any]]
    permits: list[dict[str, Any]]
    permits_total: int
    penalties: list[dict[str, Any]]
    penalties_total: int
    commitments: list[dict[str, Any]]
    commitments_total: int
    principals: list[dict[str, Any]]
    led_organisations: list[dict[str, Any]]
    government_defaults: list[dict[str, Any]] | None = Field(None, description=(
        "a government body's or public institution's own defaults (arrears, agreements, "
        "judgements) and their rectification; present only when it has any"))


class RebuildJob(BaseModel):
    """A projection rebuild: running, then done (with its rate) or failed (with the error)."""

    id: str
    view: str
    state: str
    events: int
    started_at: float
    read: int | None = None
    head: int | None = None
    generation: int | None = None
    seconds: float | None = None
    events_per_s: float | None = None
    error: str | None = None
    finished_at: float | None = None
    status_url: str | None = None


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, dict[str, Any]]
