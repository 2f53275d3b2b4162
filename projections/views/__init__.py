"""The registered views, in order: an explicit list, so a view that cannot be imported stops
start-up with its name."""

from __future__ import annotations

from projections.view import View
from projections.views import indicators, lists, profiles, repair_ratios, scores, timeliness

VIEWS: list[View] = [profiles.VIEW, lists.VIEW, scores.VIEW, repair_ratios.VIEW,
                     timeliness.VIEW, indicators.VIEW]


def load_views(names: list[str] | None = None) -> list[View]:
    """Every view (or only those named), in registration order."""
    check_unique(VIEWS)
    if names is None:
        return list(VIEWS)
    known = {v.name: v for v in VIEWS}
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
