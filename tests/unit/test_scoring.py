"""Stories about scores: every point explained, and the model of the day applied."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.scoring import BASE_RULE, CLAMP_RULE, ScoreFold, default_book
from tests.unit._story import Story

BOOK = default_book()
KNOWN_TYPES = {"PenaltyImposed", "PenaltyCorrected", "Listed", "CommitmentBreached",
               "CommitmentFulfilled", "PermitGranted"}


def fold(story: Story, code: str) -> ScoreFold:
    f = ScoreFold()
    for env in story.envelopes:
        if env["subject"] == code:
            f.apply(env)
    return f


def test_a_clean_enterprise_starts_at_1000_and_grade_a() -> None:
    story = Story()
    story.register("E1")
    score = fold(story, "E1").score()
    assert (score.score, score.grade, score.poor) == (1000, "A", False)
    assert [c.rule for c in score.explanation] == [BASE_RULE]


def test_every_point_traces_to_an_event_and_a_model_version() -> None:
    # A permit, a general penalty and a broken commitment.
    story = Story()
    story.register("E1")
    story.permit("E1", on="2021-01-04")
    story.penalty("E1", "general", on="2021-03-01")
    cid = story.commitment("E1", on="2021-02-01")
    story.settle("E1", cid, kept=False, on="2021-05-01")
    score = fold(story, "E1").score()
    assert score.score == 1000 + 5 - 150 - 50 == sum(c.points for c in score.explanation)
    assert score.grade == "C"
    ids = {env["id"]: env for env in story.envelopes}
    for c in score.explanation:
        assert ids[c.event_id]["stream"] == c.stream and ids[c.event_id]["version"] == c.version
        assert c.model_version == "2019.1"


def test_a_penalty_decided_on_1_april_2026_uses_the_2026_model() -> None:
    # The minor deduction halved when the new publicity rules came in; replaying March 2026
    # must still apply the old deduction.
    story = Story()
    story.register("E1")
    story.register("E2")
    story.penalty("E1", "minor", on="2026-03-31")
    story.penalty("E2", "minor", on="2026-04-01")
    old, new = fold(story, "E1").score(), fold(story, "E2").score()
    assert (old.score, old.explanation[-1].model_version) == (940, "2019.1")
    assert (new.score, new.explanation[-1].model_version) == (970, "2026.1")
    assert (old.grade, new.grade) == ("B", "A")


def test_a_serious_penalty_and_a_black_listing_grade_d_minus_until_repaired() -> None:
    story = Story()
    story.register("E1")
    number = story.penalty("E1", "serious", on="2021-03-01")
    listing = story.listing("E1", "black", on="2021-06-01")
    f = fold(story, "E1")
    assert (f.score("2021-04-01").score, f.score("2021-04-01").grade) == (650, "D")
    assert (f.score().score, f.score().grade, f.score().poor) == (250, "D-", True)
    # Repair ends the penalty's publicity and the listing: the deductions stop from that day.
    story.end_publicity("E1", number, on="2022-06-01")
    story.delist("E1", listing, on="2022-07-01")
    f = fold(story, "E1")
    assert f.score().score == 1000
    assert f.score("2022-06-15").score == 600
    assert f.score("2021-12-31").score == 250  # history as of a past date is unchanged


def test_a_revoked_penalty_no_longer_counts() -> None:
    story = Story()
    story.register("E1")
    number = story.penalty("E1", "general", on="2021-03-01")
    story.revoke_penalty("E1", number, on="2021-04-01")
    assert fold(story, "E1").score().score == 1000


def test_citizens_have_bands_within_0_and_1000() -> None:
    model = BOOK.model("citizen", "2025-01-01")
    bands = {s: model.grade(s) for s in (1000, 850, 849, 750, 749, 650, 649, 550, 549, 350,
                                          349, 0)}
    assert bands == {1000: "excellent", 850: "excellent", 849: "very_good", 750: "very_good",
                     749: "good", 650: "good", 649: "fair", 550: "fair", 549: "poor",
                     350: "poor", 349: "very_poor", 0: "very_poor"}
    story = Story()
    story.register("P1", kind="natural_person")
    for _ in range(4):
        story.penalty("P1", "serious")
    score = fold(story, "P1").score()
    # 700 - 4 x 250 would be -300: the clamp is a line of the explanation.
    assert (score.score, score.grade, score.scale) == (0, "very_poor", "band")
    assert score.explanation[-1].rule == CLAMP_RULE
    assert sum(c.points for c in score.explanation) == 0


def test_the_model_data_is_consistent() -> None:
    for model in BOOK.models:
        assert model.grades[-1][1] <= model.low, "every score in range has a grade"
        assert model.low <= model.base <= model.high
        assert {r.on for r in model.rules} <= KNOWN_TYPES
        assert model.poor <= {g for g, _ in model.grades}


ACTIONS = st.lists(st.tuples(
    st.sampled_from(["penalty", "permit", "black", "red", "key", "delist", "end", "revoke",
                     "kept", "breached", "correct", "revoke_permit", "correct_permit",
                     "rename", "deregister"]),
    st.sampled_from(["minor", "general", "serious"]),
    st.dates(min_value=date(2018, 1, 1),
             max_value=date(2029, 12, 31))), max_size=25)


def play(story: Story, code: str, actions: list[tuple[str, str, Any]]) -> None:
    """Apply random facts, skipping those the aggregate refuses (that is its job)."""
    penalties: list[str] = []
    listings: list[str] = []
    permits: list[str] = []
    for action, severity, day in sorted(actions, key=lambda a: a[2]):
        on = day.isoformat()
        try:
            if action == "penalty":
                penalties.append(story.penalty(code, severity, on=on))
            elif action == "permit":
                permits.append(story.permit(code, on=on))
            elif action == "correct" and penalties:  # the oldest still-open penalty
                story.correct_penalty(code, penalties[0], on=on, severity=severity)
            elif action == "correct_permit" and permits:
                story.correct_permit(code, permits[0], on=on, category=severity)
            elif action == "revoke_permit" and permits:
                story.revoke_permit(code, permits.pop(0), on=on)
            elif action == "rename":
                story.rename(code, f"{code} {severity} {on}", on=on)
            elif action == "deregister":
                story.deregister(code, on=on)
            elif action in ("black", "red", "key"):
                name = {"key": "key_attention"}.get(action, action)
                listings.append(story.listing(code, name, on=on))
            elif action == "delist" and listings:
                story.delist(code, listings.pop(0), on=on)
            elif action in ("end", "revoke") and penalties:
                number = penalties.pop(0)
                if action == "end":
                    story.end_publicity(code, number, on=on)
                else:
                    story.revoke_penalty(code, number, on=on)
            elif action in ("kept", "breached"):
                cid = story.commitment(code, on=on)
                story.settle(code, cid, kept=action == "kept", on=on)
        except Exception:  # a refused fact records nothing; the story goes on
            story.subjects[code].collect_events()


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["enterprise", "natural_person"]), actions=ACTIONS,
       as_of=st.dates(min_value=date(2019, 1, 1),
                      max_value=date(2030, 1, 1)))
def test_scores_stay_in_range_and_explanations_sum(kind: str, actions: Any, as_of: Any) -> None:
    story = Story()
    story.register("S", kind=kind, on="2018-01-01")
    play(story, "S", actions)
    f = fold(story, "S")
    for score in (f.score(), f.score(as_of.isoformat())):
        model = BOOK.model(score.family, as_of.isoformat())
        assert model.low <= score.score <= model.high
        assert sum(c.points for c in score.explanation) == score.score
