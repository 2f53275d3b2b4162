"""Stories about the score, repair-ratio, timeliness and indicator views, on SQLite."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.scoring import ScoreFold
from projections.views import indicators, integrity, repair_ratios, scores, timeliness
from projections.views._scorecard import scorecard
from tests.unit._story import AUTHORITY, Story
from tests.unit._viewtx import SqlViewTx
from tests.unit.test_scoring import ACTIONS, play

VIEWS = [scores.VIEW, repair_ratios.VIEW, timeliness.VIEW, indicators.VIEW, integrity.VIEW]
OTHER = "21210000000000000Y"


def project(story: Story) -> SqlViewTx:
    tx = SqlViewTx.memory()
    tx.create(*VIEWS)
    tx.feed(VIEWS, story.envelopes)
    return tx


def city() -> Story:
    """Three enterprises (one bad code, one duplicate name), a shop and two people."""
    s = Story()
    s.register("E1", name="Panjin Rice Co.")
    s.register("E2", code_check_failed=True)
    s.register("E3", name="PANJIN RICE CO", on="2020-02-01")
    s.register("I1", kind="individual_business")
    s.register("P1", kind="natural_person")
    s.register("P2", kind="natural_person")
    s.permit("E1", on="2021-01-04")
    s.penalty("E1", "general", on="2021-03-01", published_on="2021-03-20")  # late
    s.penalty("P1", "general", on="2021-03-01", authority=OTHER)
    black = s.listing("E1", "black", on="2021-06-01")
    s.listing("E2", "black", on="2021-06-01")
    s.listing("E3", "red", on="2021-06-01", domain="finance")
    s.commitment("E1", "repair", on="2021-08-01")
    s.commitment("I1", "voluntary", on="2021-02-01")
    s.repair_event("E1", "RepairTrainingCompleted", "2021-09-01")
    s.repair_event("E1", "RepairReportSubmitted", "2021-09-15")
    s.delist("E1", black, on="2022-01-10", reason="repaired")
    return s


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def by_id(card: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in card}


def test_the_scores_view_agrees_with_the_pure_fold_now_and_in_the_past() -> None:
    story = city()
    tx = project(story)
    for code in ("E1", "E2", "E3", "I1", "P1", "P2"):
        fold = ScoreFold()
        for env in story.envelopes:
            if env["subject"] == code:
                fold.apply(env)
        for as_of in (None, "2021-03-15", "2021-07-01", "2022-06-01"):
            assert scores.VIEW.score(tx, code, as_of) == fold.score(as_of)
    e1 = scores.VIEW.score(tx, "E1")
    assert e1 is not None and (e1.score, e1.grade) == (855, "C")
    assert scores.VIEW.score(tx, "NOPE") is None
    assert scores.VIEW.score(tx, "E3", "2020-01-15") is None  # not registered yet


def test_repair_ratios_per_domain_against_their_targets() -> None:
    tx = project(city())
    [tax] = repair_ratios.VIEW.ratios(tx, "2022-06-01", "tax")
    assert (tax["domain"], tax["black_listed"], tax["still_listed"]) == ("tax", 2, 1)
    r = tax["ratios"]
    assert (r["exited"]["value"], r["exited"]["passed"]) == (0.5, True)
    assert (r["training"]["value"], r["training"]["passed"]) == (0.5, True)
    assert (r["repair_commitment"]["value"], r["repair_commitment"]["passed"]) == (0.5, False)
    assert (r["report"]["value"], r["report"]["target"]) == (0.5, 0.8)
    # Before the repair, nobody had exited or trained.
    [early] = repair_ratios.VIEW.ratios(tx, "2021-07-01", "tax")
    assert early["ratios"]["exited"]["count"] == early["ratios"]["training"]["count"] == 0
    assert repair_ratios.VIEW.ratios(tx, "2021-05-01") == []
    assert repair_ratios.VIEW.ratios(tx, "2022-06-01", "finance") == []  # red lists don't count


def test_a_listing_withdrawn_as_an_error_leaves_the_population() -> None:
    s = Story()
    s.register("E1")
    listing = s.listing("E1", "black", on="2021-06-01")
    s.delist("E1", listing, on="2021-07-01", reason="error")
    tx = project(s)
    assert repair_ratios.VIEW.ratios(tx, "2021-06-15")[0]["black_listed"] == 1
    assert repair_ratios.VIEW.ratios(tx, "2021-08-01") == []


def test_only_a_removal_an_approved_repair_case_made_is_an_exit() -> None:
    s = Story()
    for code in ("E1", "E2"):
        s.register(code)
    direct = s.listing("E1", "black", on="2021-06-01")
    repaired = s.listing("E2", "black", on="2021-06-01")
    # History from before the rule: E1's department removed its listing itself, calling it a
    # repair (the aggregate refuses that now; the event is written as it was then).
    s.subjects["E1"]._delist(direct, authority=AUTHORITY, actor="test",
                             delisted_on=date(2022, 1, 10), reason="repaired")
    s._collect(s.subjects["E1"])
    # E2 left through a repair case: its approval, then the removal it made.
    s.delist("E2", repaired, on="2022-01-10")
    tx = project(s)
    [tax] = repair_ratios.VIEW.ratios(tx, "2022-06-01", "tax")
    assert (tax["black_listed"], tax["still_listed"]) == (2, 0)
    assert (tax["ratios"]["exited"]["count"], tax["ratios"]["exited"]["value"]) == (1, 0.5)
    card = by_id(scorecard(indicators.VIEW, tx, "2022-06-01"))
    assert card["black_list_exit_by_domain"]["value"] == 0.5


def test_a_deregistered_subject_leaves_the_operating_population_from_that_day() -> None:
    s = city()
    s.deregister("E2", on="2022-03-01")  # black-listed, never repaired, then wound up
    tx = project(s)
    [before] = repair_ratios.VIEW.ratios(tx, "2022-02-28", "tax")
    [after] = repair_ratios.VIEW.ratios(tx, "2022-06-01", "tax")
    assert (before["black_listed"], before["ratios"]["exited"]["value"]) == (2, 0.5)
    # E1 repaired and exited; E2 no longer operates: one of one operating subjects exited.
    assert (after["black_listed"], after["still_listed"]) == (1, 0)
    assert (after["ratios"]["exited"]["value"], after["ratios"]["training"]["value"]) == (1, 1)
    card = by_id(scorecard(indicators.VIEW, tx, "2022-06-01"))
    assert card["black_list_exit_by_domain"]["value"] == 1
    assert card["repair_training_coverage"]["detail"]["black_listed"] == 1


def test_a_listing_past_its_expiry_counts_nowhere_though_no_expiry_was_recorded() -> None:
    s = Story()
    s.register("E1")
    s.register("E2")
    s.listing("E1", "black", on="2021-06-01", expires="2022-06-01")
    tx = project(s)
    # The day before it expires, and the day it does: no Delisted event in between.
    for day, listed in (("2022-05-31", 1), ("2022-06-01", 0)):
        [tax] = repair_ratios.VIEW.ratios(tx, day, "tax")
        assert (tax["black_listed"], tax["still_listed"]) == (1, listed)
        card = by_id(scorecard(indicators.VIEW, tx, day))
        assert card["black_listed_enterprise_share"]["value"] == listed / 2
        assert card["poor_grade_enterprise_share"]["value"] == listed / 2  # 600 is grade D
        assert card["joint_cases_per_listing"]["detail"]["red_and_black"] == listed
        score = scores.VIEW.score(tx, "E1", day)
        assert score is not None and score.score == 1000 - 400 * listed


def test_timeliness_per_authority() -> None:
    tx = project(city())
    found = {a["authority"]: a for a in timeliness.VIEW.authorities(tx, "2022-06-01")}
    ours = found["11210000000000000X"]
    assert (ours["recorded"], ours["on_time"], ours["share"], ours["passed"]) == (2, 1, 0.5,
                                                                                   False)
    assert ours["by_kind"]["permit"]["share"] == 1.0
    assert ours["by_kind"]["penalty"]["late"] == 1
    assert (found[OTHER]["share"], found[OTHER]["passed"]) == (1.0, True)
    # As of a date before the late penalty's decision, everything was on time.
    [early] = timeliness.VIEW.authorities(tx, "2021-02-01", "11210000000000000X")
    assert (early["recorded"], early["passed"]) == (1, True)


def test_the_scorecard_as_of_a_date() -> None:
    card = by_id(scorecard(indicators.VIEW, project(city()), "2022-06-01"))
    expected = {
        "uscc_error_rate": (0.5, False),
        "publicity_timeliness": (2 / 3, False),
        "public_records_per_legal_person": (2.0, True),
        "citizen_score_holders": (0.5, False),
        "joint_domains": (0, False),  # listings are not joint measures: checks apply them
        "joint_cases_per_listing": (0.0, False),
        "black_list_exit_by_domain": (0.5, True),
        "repair_training_coverage": (0.5, True),
        "repair_commitment_coverage": (0.5, False),
        "commitment_coverage": (0.5, False),
        "third_party_report_coverage": (0.5, False),
        "black_listed_enterprise_share": (1 / 3, True),
        "poor_grade_enterprise_share": (1 / 3, True),
        # Nothing of the government's own yet: no default, no legal profession.
        "government_default_rectification": (None, None),
        "government_defaults_overdue": (0, True),
        "legal_profession_files": (None, None),
    }
    assert {k: (rounded(v["value"]), v["passed"]) for k, v in card.items()} == {
        k: (rounded(value), passed) for k, (value, passed) in expected.items()}
    assert card["black_listed_enterprise_share"]["detail"]["previous"] == pytest.approx(2 / 3)


def test_the_scorecard_of_an_earlier_date_sees_only_earlier_facts() -> None:
    card = by_id(scorecard(indicators.VIEW, project(city()), "2021-01-10"))
    assert card["publicity_timeliness"]["value"] == 1.0
    assert card["citizen_score_holders"]["value"] == 0.0
    assert card["joint_domains"]["value"] == 0
    assert card["black_list_exit_by_domain"]["value"] is None
    assert card["black_list_exit_by_domain"]["passed"] is None  # nothing to measure yet
    assert card["uscc_error_rate"]["detail"]["organisations"] == 4


CITY_ACTIONS = st.lists(st.tuples(st.sampled_from(["E1", "E2", "P1", "I1"]), ACTIONS),
                        max_size=4)
REPAIRS = st.lists(st.tuples(st.sampled_from(["E1", "E2", "P1"]),
                             st.sampled_from(["RepairTrainingCompleted", "RepairReportSubmitted"]),
                             st.dates(date(2018, 1, 1), date(2029, 12, 31))), max_size=4)


@settings(max_examples=40, deadline=None)
@given(plays=CITY_ACTIONS, repairs=REPAIRS, as_of=st.dates(date(2018, 1, 1), date(2030, 1, 1)))
def test_no_share_leaves_0_to_1(plays: Any, repairs: Any, as_of: date) -> None:
    s = Story()
    for code, kind in (("E1", "enterprise"), ("E2", "enterprise"), ("P1", "natural_person"),
                       ("I1", "individual_business")):
        s.register(code, kind=kind, on="2018-01-01")
    for code, actions in plays:
        play(s, code, actions)
    for code, type_name, day in repairs:
        s.repair_event(code, type_name, day.isoformat())
    tx = project(s)
    day = as_of.isoformat()
    shares = [i["value"] for i in scorecard(indicators.VIEW, tx, day) if i["unit"] == "share"]
    shares += [r["value"] for d in repair_ratios.VIEW.ratios(tx, day)
               for r in d["ratios"].values()]
    shares += [a["share"] for a in timeliness.VIEW.authorities(tx, day)]
    assert all(0 <= v <= 1 for v in shares if v is not None)


def test_facts_predating_registration_count_from_their_own_dates() -> None:
    # A department records a March penalty for a company the ledger registers in November.
    s = Story()
    s.register("E1", on="2025-11-20")
    s.penalty("E1", "general", on="2025-03-03")
    tx = project(s)
    june = scores.VIEW.score(tx, "E1", "2025-06-01")
    assert june is not None and (june.score, june.grade) == (850, "C")
    assert scores.VIEW.score(tx, "E1", "2025-01-01") is None
    card = by_id(scorecard(indicators.VIEW, tx, "2025-06-01"))
    assert card["public_records_per_legal_person"]["detail"] == {"records": 1,
                                                                 "legal_persons": 1}


def test_every_indicator_of_the_scorecard_has_its_chinese_title() -> None:
    # The portal and the API show `title_label`: an indicator added without one would show
    # its English id to citizens.
    card = scorecard(indicators.VIEW, project(city()), "2021-06-01")
    assert [i["id"] for i in card if not i["title_label"]] == []
