"""The registered views: an explicit list of module paths, each exposing `VIEW`.

Imported on first use rather than at package import, so that a matching compiled build
(projections/compiled.py) is in place first; a listed module that cannot be imported stops
start-up with its name."""

from __future__ import annotations

import importlib

from projections.view import View

VIEW_MODULES = [
    "projections.views.profiles",
    "projections.views.lists",
    "projections.views.scores",
    "projections.views.repair_ratios",
    "projections.views.timeliness",
    "projections.views.indicators",
    "projections.views.integrity",
]


def load_views(names: list[str] | None = None) -> list[View]:
    """Every registered view (or only those named), in registration order."""
    views: list[View] = [importlib.import_module(path).VIEW for path in VIEW_MODULES]
    check_unique(views)
    if names is None:
        return views
    known = {v.name: v for v in views}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"unknown view(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]


def check_unique(views: list[View]) -> None:
    """View names and logical table names must be unique: readers resolve tables by name."""
    seen_views: set[str] = set()
    seen_tables: dict[str, str] = {}
    for view in views:
        if view.name in seen_views:
            raise ValueError(f"two views are named {view.name!r}")
        seen_views.add(view.name)
        for table in view.tables:
            if table in seen_tables:
                raise ValueError(f"table {table!r} of view {view.name!r} is also declared by "
                                 f"{seen_tables[table]!r}")
            seen_tables[table] = view.name
