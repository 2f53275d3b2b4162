"""What GET /v1/regions answers: the city's scorecard, every county's ranked beside it, and
the ranking month by month (docs/scores-and-indicators.md)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.read_schemas import Indicator


class RankedIndicator(Indicator):
    """One indicator of a county, with its rank among the counties (1 the best; null when
    the county has no value to rank)."""

    rank: int | None


class CountyScorecard(BaseModel):
    code: str
    name: str
    short_name: str
    level: str
    population: int
    rank: int | None
    mean_rank: float | None
    passed: int
    failed: int
    indicators: list[RankedIndicator]


class CityScorecard(BaseModel):
    code: str
    name: str
    population: int
    passed: int
    failed: int
    indicators: list[Indicator]


class RankPoint(BaseModel):
    code: str
    rank: int | None
    mean_rank: float | None
    passed: int
    ranks: dict[str, int | None]  # each indicator's rank that month


class MonthRanking(BaseModel):
    month: str
    as_of: date
    ranking: list[RankPoint]


class Monitoring(BaseModel):
    as_of: date
    city: CityScorecard
    regions: list[CountyScorecard]
    history: list[MonthRanking]
