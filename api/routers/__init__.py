"""One router per resource, included in the order of ROUTERS (an explicit list: a router that
cannot be imported stops start-up with its name)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import (
    admin,
    audit,
    checks,
    civil_servants,
    commitments,
    corrections,
    health,
    imports,
    indicators,
    integrity,
    joint,
    listings,
    metrics,
    public,
    publicity,
    regions,
    repairs,
    report_pages,
    reports,
    subjects,
)

ROUTERS: tuple[APIRouter, ...] = (
    # First: FastAPI tries the included routers in order, and profile lookups are the
    # hottest path. No other router has a GET that one of these paths could shadow.
    public.router,        # public reads: subject profiles and search, lists
    health.router,
    subjects.router,      # provider writes: subjects, principals
    publicity.router,     # provider writes: permits, penalties
    listings.router,      # provider writes: listings and removals
    commitments.router,   # provider writes: commitments and outcomes
    corrections.router,   # provider writes: revocations, corrections, renaming, deregistration
    indicators.router,    # public reads: scores, repair ratios, timeliness, indicators
    admin.router,         # admin: projection rebuilds
    metrics.router,       # /metrics
    repairs.router,       # repair officers
    joint.router,         # joint rewards and punishments
    audit.router,         # auditors
    reports.router,       # public: credit reports (PDF) and their verification (JSON)
    report_pages.router,  # public: the report verification page (HTML)
    regions.router,       # public reads: the county monitoring ranking
    checks.router,        # credit checks for approval systems, the scenario catalogue
    imports.router,       # providers: file uploads, imported in the background
    integrity.router,     # provider writes: government defaults, third-party credit reports
    civil_servants.router,  # personnel: civil servants' integrity files (never public)
)

