"""Prometheus metrics: the store's head, and every number the background services report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api.deps import RuntimeDep

router = APIRouter(tags=["health"])

PREFIX = "credit_ledger"


def metric_name(*parts: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", "_".join((PREFIX, *parts)))


def numbers(status: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, float]]:
    """Every numeric (or boolean) leaf of a status report, nested keys joined by '_'."""
    for key, value in status.items():
        if isinstance(value, bool | int | float):
            yield "_".join((*path, key)), float(value)
        elif isinstance(value, dict):
            yield from numbers(value, (*path, key))


def gauge(name: str, value: float, help_text: str) -> str:
    shown = int(value) if value.is_integer() else value
    return f"# HELP {name} {help_text}\n# TYPE {name} gauge\n{name} {shown}\n"


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(runtime: RuntimeDep) -> PlainTextResponse:
    """Prometheus text format: head position, relay lag and position, services' figures."""
    lines = []
    try:
        head = float(runtime.ledger.head_position())
        lines.append(gauge(metric_name("head_position"), head,
                           "Position of the last event recorded in the store."))
        lines.append(gauge(metric_name("store_up"), 1.0, "The event store answers."))
    except Exception:  # a scrape reports the store as down rather than failing
        lines.append(gauge(metric_name("store_up"), 0.0, "The event store answers."))
    for service in runtime.services:
        for key, value in numbers(service.status()):
            lines.append(gauge(metric_name(service.name, key), value,
                               f"{service.name} status: {key}."))
    return PlainTextResponse("".join(lines), media_type="text/plain; version=0.0.4")
