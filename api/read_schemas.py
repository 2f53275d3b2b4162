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
    domain_label: str | None = None
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
    kind_label: str | None = None  # in by_kind: 行政许可, 行政处罚


class AuthorityTimeliness(Timeliness):
    authority: str
    authority_name: str | None = None
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
    title_label: str | None = None
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
    # The county read (`region`), or the whole city; its registered population.
    region: str | None = None
    region_label: str | None = None
    population: int | None = None


class Labelled(BaseModel):
    """A record as the views keep it, with the Chinese label beside each code (api.labelled):
    `<field>_label`, and `authority_name` beside an authority's USCC (null when unknown)."""

    model_config = ConfigDict(extra="allow")


class ListingPublic(Labelled):
    listing_id: str
    list: str
    list_label: str
    domain: str
    domain_label: str
    authority: str
    authority_name: str | None


class PermitPublic(Labelled):
    authority: str
    authority_name: str | None
    decision_no: str
    status: str
    status_label: str


class PenaltyPublic(Labelled):
    authority: str
    authority_name: str | None
    decision_no: str
    severity: str | None
    severity_label: str | None
    domain: str | None
    domain_label: str | None


class CommitmentPublic(Labelled):
    commitment_id: str
    authority: str | None
    authority_name: str | None
    type: str
    type_label: str
    status: str
    status_label: str


class PrincipalPublic(Labelled):
    role: str
    role_label: str
    principal: str


class LedOrganisation(Labelled):
    code: str
    kind: str | None
    kind_label: str | None
    role: str
    role_label: str
    dishonest_listings: list[ListingPublic]
    penalties: list[PenaltyPublic]


class FormerName(BaseModel):
    """A name the subject had until `until` (SubjectRenamed); still found by search."""

    name: str
    until: date


class Deregistered(BaseModel):
    """The subject was deregistered (注销) on `on`."""

    on: date
    reason: str | None


class ProfilePublic(BaseModel):
    """A subject's public profile; the lists of records are as the views keep them, with
    labels beside their codes."""

    model_config = ConfigDict(extra="allow")

    code: SubjectCode
    name: str | None
    kind: str | None
    kind_label: str | None
    masked: str | None = None
    registered_on: date | None
    authority: str | None
    authority_name: str | None
    registered: bool
    as_of: date
    lists: list[ListingPublic]
    permits: list[PermitPublic]
    permits_total: int
    penalties: list[PenaltyPublic]
    penalties_total: int
    commitments: list[CommitmentPublic]
    commitments_total: int
    principals: list[PrincipalPublic]
    led_organisations: list[LedOrganisation]
    # The county or district (docs/adr/026): its code and name; null for a principal only.
    region: str | None = None
    region_label: str | None = None
    former_names: list[FormerName] = []
    deregistered: Deregistered | None = None
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
