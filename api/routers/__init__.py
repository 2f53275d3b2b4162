"""One router per resource; each module below exposes `router`, included in this order."""

from __future__ import annotations

import importlib

from fastapi import APIRouter

MODULES = [
    # First: FastAPI tries the included routers in order, and profile lookups are the
    # hottest path. No other router has a GET that one of these paths could shadow.
    "api.routers.public",        # public reads: subject profiles and search, lists
    "api.routers.health",
    "api.routers.subjects",      # provider writes: subjects, principals
    "api.routers.publicity",     # provider writes: permits, penalties
    "api.routers.listings",      # provider writes: listings and removals
    "api.routers.commitments",   # provider writes: commitments and outcomes
    "api.routers.indicators",    # public reads: scores, repair ratios, timeliness, indicators
    "api.routers.admin",         # admin: projection rebuilds
    "api.routers.metrics",       # /metrics
    "api.routers.repairs",       # repair officers
    "api.routers.joint",         # joint rewards and punishments
    "api.routers.audit",         # auditors
]


def load_routers() -> list[APIRouter]:
    routers = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue  # not written yet
        routers.append(module.router)
    return routers
