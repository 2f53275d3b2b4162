"""Regions: the table of monitoring units, where a subject belongs, and a county's scorecard
computed by the city's own code over the county's rows (SQLite)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.regions import Geography, RegionTable, origin_of
from ledger.domain.uscc import make_uscc
from ledger.generator.city import generate
from projections.views import indicators, integrity, repair_ratios, scores, timeliness
from projections.views._regions import Counties, month_ends, ranks
from projections.views._scope import scoped
from tests.unit._story import Story
from tests.unit._viewtx import SqlViewTx

CATALOGUE = AuthorityCatalogue.load()
TABLE = RegionTable.load()
BRANCH = {a.region: a.code for a in CATALOGUE if "natural_person" in a.registers}
VIEWS = [scores.VIEW, repair_ratios.VIEW, timeliness.VIEW, indicators.VIEW, integrity.VIEW]


def test_the_shipped_table_names_the_city_its_districts_county_and_zones() -> None:
    assert TABLE.city.code == "211100" and TABLE.city.population == 1_300_000
    assert {r.code: r.name for r in TABLE.counties} == {
        "211102": "双台子区", "211103": "兴隆台区", "211104": "大洼区", "211122": "盘山县",
        "211171": "辽东湾新区", "211172": "盘锦高新技术产业开发区"}
    assert sum(r.population for r in TABLE.counties) <= TABLE.city.population


def test_a_subject_is_placed_by_its_uscc_and_a_person_by_the_registering_authority() -> None:
    geography = Geography(TABLE, CATALOGUE)
    firm = make_uscc("9", "1", "211122", "MA0RG001")
    assert geography.region_of(firm, "enterprise", BRANCH["211103"]).name == "盘山县"
    # A division outside the table (a Beijing code) belongs to the city.
    elsewhere = make_uscc("9", "1", "110105", "MA0RG002")
    assert geography.region_of(elsewhere, "enterprise", BRANCH["211103"]).code == "211100"
    # A person: the authority's region, by the catalogue; the zone's branch carries a district
    # code in its own USCC, and the catalogue places it in the zone.
    zone_branch = BRANCH["211171"]
    assert zone_branch[2:8] == "211104"
    assert geography.region_of("p-abc", "natural_person", zone_branch).name == "辽东湾新区"
    # An authority the catalogue does not know: its own USCC's division.
    unknown = make_uscc("1", "1", "211102", "77777777")
    assert geography.region_of("p-abc", "natural_person", unknown).name == "双台子区"
    assert origin_of("E1", "enterprise", unknown) == ""  # not a USCC: the city's


def write(tmp_path: Path, body: dict[str, Any]) -> Path:
    path = tmp_path / "regions.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_another_city_names_its_own_table_and_a_bad_one_is_refused_naming_the_entry(
        tmp_path: Path) -> None:
    own = RegionTable.load(write(tmp_path, {"city": "210100", "regions": [
        {"code": "210100", "name": "沈阳市", "population": 7_000_000},
        {"code": "210102", "name": "和平区", "population": 600_000}]}))
    assert [r.name for r in own.counties] == ["和平区"]
    assert own.region_of_division("211103") == "210100"
    for body, message in (
            ({"city": "210100", "regions": [{"code": "210100"}]}, r"regions\[0\].*population"),
            ({"city": "210100", "regions": [{"code": "21010", "population": 1}]}, "6 digits"),
            ({"city": "210199", "regions": [{"code": "210100", "population": 1}]}, "`city`"),
            ({"city": "210100", "regions": [{"code": "210100", "population": 10},
                                            {"code": "210102", "population": 11}]}, "exceeds")):
        with pytest.raises(ValueError, match=message):
            RegionTable.load(write(tmp_path, body))


def test_the_generated_city_registers_persons_through_their_districts_branches() -> None:
    city = list(generate(600, seed=11))
    registrars = Counter(CATALOGUE.get(r["authority"]).region  # type: ignore[union-attr]
                         for r in city if r["record"] == "subject"
                         and r["kind"] == "natural_person")
    assert set(registrars) == {"211102", "211103", "211104", "211122", "211171", "211172"}


def project(story: Story) -> SqlViewTx:
    tx = SqlViewTx.memory()
    tx.create(*VIEWS)
    tx.feed(VIEWS, story.envelopes)
    return tx


def county_city() -> Story:
    """Two firms in Xinglongtai (one black-listed), one in Panshan, one from elsewhere, and a
    person of Panshan fined (a citizen score)."""
    s = Story()
    codes = {name: s.register(make_uscc("9", "1", div, f"MA0RG{i:03d}"), on="2021-01-04")
             for i, (name, div) in enumerate((("x1", "211103"), ("x2", "211103"),
                                              ("p1", "211122"), ("far", "110105")))}
    codes["person"] = s.register("p-1", kind="natural_person", authority=BRANCH["211122"])
    s.listing(codes["x1"], "black", on="2021-06-01")
    s.commitment(codes["p1"], "voluntary", on="2021-02-01")
    s.penalty(codes["person"], "minor", on="2021-03-01")
    return s


def detail(card: list[dict[str, Any]], id_: str) -> dict[str, Any]:
    return next(i for i in card if i["id"] == id_)


def test_county_scorecards_differ_and_add_up_to_the_city() -> None:
    story = county_city()
    counties = Counties(indicators.VIEW, project(story), TABLE, CATALOGUE)
    cards = {r.code: counties.card(r, "2022-01-01") for r in TABLE}
    market = {code: detail(card, "commitment_coverage")["detail"]["market_subjects"]
              for code, card in cards.items()}
    assert market == {"211100": 4, "211102": 0, "211103": 2, "211104": 0, "211122": 1,
                      "211171": 0, "211172": 0}
    # The counties and the one firm the city answers for itself make the city.
    assert sum(n for code, n in market.items() if code != "211100") + 1 == market["211100"]
    black = {code: detail(cards[code], "black_listed_enterprise_share")["value"]
             for code in ("211100", "211103", "211122")}
    assert black == {"211100": 0.25, "211103": 0.5, "211122": 0.0}
    holders = detail(cards["211122"], "citizen_score_holders")
    assert holders["value"] == pytest.approx(1 / 280_000)
    assert detail(cards["211103"], "citizen_score_holders")["detail"]["holders"] == 0


def test_a_scoped_query_reads_only_the_countys_rows_however_it_is_written() -> None:
    story = county_city()
    tx = project(story)
    tables = indicators.VIEW.tables | scores.VIEW.tables
    xlt = scoped(tx, tables, "ind_subject", ["211103"])
    assert xlt.fetchone(f"SELECT COUNT(*) FROM {xlt.t('ind_subject')}") == (2,)
    # A statement of its own WITH clause, and a table read through its code (listings).
    assert xlt.fetchone(f"WITH x AS (SELECT code FROM {xlt.t('ind_listing')}) "
                        "SELECT COUNT(*) FROM x") == (1,)
    assert xlt.fetchone(f"SELECT COUNT(*) FROM {xlt.whole('ind_subject')}") == (5,)
    nowhere = scoped(tx, tables, "ind_subject", [])
    assert nowhere.fetchone(f"SELECT COUNT(*) FROM {nowhere.t('score_subject')}") == (0,)


def test_ranks_tie_skip_and_leave_out_what_has_no_value() -> None:
    assert ranks({"a": 0.5, "b": 0.9, "c": 0.9, "d": None}, lower_better=False) == {
        "a": 3, "b": 1, "c": 1, "d": None}
    assert ranks({"a": 0.5, "b": 0.0}, lower_better=True) == {"a": 2, "b": 1}
    assert [d.isoformat() for d in month_ends(date(2024, 3, 15), 3)] \
        == ["2024-01-31", "2024-02-29", "2024-03-15"]
