"""The city's own monitoring ranking: every county's scorecard side by side, each indicator
ranked across counties, and the overall ranking month by month (docs/scores-and-indicators.md).

A county's scorecard is the city's scorecard code over the county's rows
(projections.views._scope): whatever indicator the scorecard computes, counties have it too.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.regions import Region, RegionTable
from projections.view import ViewTx
from projections.views import integrity, scores
from projections.views._scope import scoped
from projections.views._scorecard import scorecard
from projections.views.indicators import IndicatorsView

# Indicators whose target is "at most" or "falling": a lower value ranks higher.
LOWER_IS_BETTER = frozenset({"<", "falling"})


def lower_is_better(item: dict[str, Any]) -> bool:
    return item["target"]["op"] in LOWER_IS_BETTER


def ranks(values: dict[str, float | None], lower_better: bool) -> dict[str, int | None]:
    """Competition ranks (1, 2, 2, 4) of the counties with a value; None for the others."""
    present = [v for v in values.values() if v is not None]
    out: dict[str, int | None] = {}
    for code, value in values.items():
        if value is None:
            out[code] = None
        else:
            out[code] = 1 + sum(1 for v in present if (v < value if lower_better else v > value))
    return out


def month_ends(as_of: date, months: int) -> list[date]:
    """The last `months` month ends up to `as_of` (the current month read on `as_of`), oldest
    first."""
    out, day = [], as_of
    for _ in range(months):
        out.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return out[::-1]


class Counties:
    """Scorecards per county over one transaction of the views."""

    def __init__(self, view: IndicatorsView, tx: ViewTx, table: RegionTable,
                 catalogue: AuthorityCatalogue) -> None:
        self.view, self.tx, self.table, self.catalogue = view, tx, table, catalogue
        self.known = [row[0] for row in tx.fetchall(
            f"SELECT DISTINCT origin FROM {tx.t('ind_subject')}")]
        # Every table a scorecard reads, so that each is scoped to the county's subjects.
        self.tables = view.tables | scores.VIEW.tables | integrity.VIEW.tables
        self.memo: dict[Any, Any] = {}  # city-wide reads, shared by every scorecard here

    def card(self, region: Region, as_of: str) -> list[dict[str, Any]]:
        """A county's scorecard over its registered population; the city's over all rows."""
        if region.code == self.table.city.code:
            return scorecard(self.view, self.tx, as_of, region.population, self.memo)
        origins = self.table.origins_in(region.code, self.known, self.catalogue)
        tx = scoped(self.tx, self.tables, "ind_subject", origins)
        return scorecard(self.view, tx, as_of, region.population, self.memo)

    def ranked(self, as_of: str) -> list[dict[str, Any]]:
        """Each county with its scorecard, each indicator's rank and the overall rank."""
        cards = {r.code: self.card(r, as_of) for r in self.table.counties}
        entries: dict[str, dict[str, Any]] = {
            r.code: {"code": r.code, "name": r.name, "short_name": r.short_name,
                     "level": r.level, "population": r.population,
                     "indicators": [dict(i) for i in cards[r.code]]}
            for r in self.table.counties}
        first = next(iter(cards.values()), [])
        for n, item in enumerate(first):
            ranked = ranks({code: card[n]["value"] for code, card in cards.items()},
                           lower_is_better(item))
            for code, rank in ranked.items():
                entries[code]["indicators"][n]["rank"] = rank
        for entry in entries.values():
            placed = [i["rank"] for i in entry["indicators"] if i["rank"] is not None]
            entry["mean_rank"] = sum(placed) / len(placed) if placed else None
            entry["passed"] = sum(1 for i in entry["indicators"] if i["passed"])
            entry["failed"] = sum(1 for i in entry["indicators"] if i["passed"] is False)
        # Overall: the mean of its indicator ranks, the lower the better (ties share a rank).
        overall = ranks({c: e["mean_rank"] for c, e in entries.items()}, lower_better=True)
        for code, entry in entries.items():
            entry["rank"] = overall[code]
        return sorted(entries.values(), key=lambda e: (e["rank"] is None, e["rank"] or 0,
                                                       e["code"]))

    def history(self, as_of: date, months: int,
                now: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The overall ranking at each of the last `months` month ends (`now`: the ranking
        on `as_of`, already read)."""
        return [{"month": day.isoformat()[:7], "as_of": day,
                 "ranking": [{"code": e["code"], "rank": e["rank"], "mean_rank": e["mean_rank"],
                              "passed": e["passed"],
                              "ranks": {i["id"]: i["rank"] for i in e["indicators"]}}
                             for e in (now if now is not None and day == as_of
                                       else self.ranked(day.isoformat()))]}
                for day in month_ends(as_of, months)]


def monitoring(view: IndicatorsView, tx: ViewTx, table: RegionTable,
               catalogue: AuthorityCatalogue, as_of: date, months: int) -> dict[str, Any]:
    """The city's scorecard, every county's ranked beside it, and the ranking by month."""
    counties = Counties(view, tx, table, catalogue)
    city = counties.card(table.city, as_of.isoformat())
    now = counties.ranked(as_of.isoformat())
    return {"as_of": as_of,
            "city": {"code": table.city.code, "name": table.city.name,
                     "population": table.city.population, "indicators": city,
                     "passed": sum(1 for i in city if i["passed"]),
                     "failed": sum(1 for i in city if i["passed"] is False)},
            "regions": now,
            "history": counties.history(as_of, months, now)}
