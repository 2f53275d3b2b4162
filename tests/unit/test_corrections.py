"""Stories about corrections as events, with no services: what the subject allows, and how
the score, the timeliness counts and the replay's fold follow a corrected record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.domain.errors import Conflict, DateRuleViolation, RuleViolation, WrongState
from ledger.domain.ownership import NotOwner
from ledger.domain.scoring import ScoreFold
from ledger.domain.subject_corrections import NothingToCorrect
from projections.feed import Record
from projections.views import load_views
from projections.views.timeliness import VIEW as TIMELINESS
from replay.fold import fold
from tests.relay_story import schema_validator
from tests.unit._envelopes import feed_views, store_at
from tests.unit._story import AUTHORITY, CAL, TODAY, Story

OTHER = "11210000000000001X"
ACME = "91211100MA0T4Q1X23"


def story_with_fine(severity: str = "serious") -> tuple[Story, str]:
    story = Story()
    story.register("E1")
    return story, story.penalty("E1", severity, on="2026-04-07", published_on="2026-04-08")


def score(story: Story, as_of: str | None = None) -> int:
    f = ScoreFold()
    for env in story.envelopes:
        f.apply(env)
    found = f.score(as_of)
    assert found is not None
    return found.score


def test_a_corrected_severity_replaces_the_points_from_the_day_of_the_correction() -> None:
    story, fine = story_with_fine("serious")
    before = score(story, "2026-06-01")
    story.correct_penalty("E1", fine, on="2026-05-11", severity="general")
    after = score(story, "2026-06-01")
    assert before < after < 1000  # a general penalty costs less than a serious one
    # Before the correction's date the record said serious, and the score read so.
    assert score(story, "2026-05-10") == before
    # The corrected record carries its recomputed window and what it replaced.
    corrected = story.envelopes[-1]
    assert corrected["data"]["publicity_max_until"] == "2027-04-07"
    assert corrected["data"]["previous"] == {"publicity_max_until": "2029-04-07",
                                             "publicity_min_until": "2027-04-07",
                                             "severity": "serious"}


def test_the_same_correction_twice_is_one_event_and_a_change_of_nothing_is_refused() -> None:
    story, fine = story_with_fine()
    story.correct_penalty("E1", fine, on="2026-05-11", severity="general")
    events = len(story.envelopes)
    story.correct_penalty("E1", fine, on="2026-05-11", severity="general")
    assert len(story.envelopes) == events
    with pytest.raises(NothingToCorrect):
        story.correct_penalty("E1", fine, on="2026-05-12", severity="general")
    story.subjects["E1"].collect_events()


@pytest.mark.parametrize(("changes", "error"), [
    ({"published_on": "2026-04-09"}, RuleViolation),  # the platform's own fact
    ({"decided_on": "2026-04-09"}, DateRuleViolation),  # after its publication
    ({"decided_on": "2026-05-20", "severity": "minor"}, DateRuleViolation),
])
def test_a_correction_keeps_the_record_consistent(changes: dict[str, str],
                                                  error: type[Exception]) -> None:
    story, fine = story_with_fine()
    with pytest.raises(error):
        story.correct_penalty("E1", fine, on="2026-05-11", **changes)


def test_corrections_take_effect_in_the_order_of_their_dates() -> None:
    story, fine = story_with_fine()
    story.correct_penalty("E1", fine, on="2026-05-11", severity="general")
    with pytest.raises(DateRuleViolation):
        story.correct_penalty("E1", fine, on="2026-05-01", severity="minor")


def test_another_authority_may_not_and_an_admin_may() -> None:
    story, fine = story_with_fine()
    subject = story.subjects["E1"]
    with pytest.raises(NotOwner) as refused:
        subject.revoke_penalty(authority=OTHER, actor="x", decision_no=fine,
                               revoked_on=date(2026, 5, 1), reason="x", today=TODAY)
    assert refused.value.owner == AUTHORITY
    subject.correct_penalty(authority=OTHER, actor="admin", decision_no=fine,
                            corrected_on=date(2026, 5, 1), reason="x",
                            changes={"domain": "price"}, today=TODAY, calendar=CAL,
                            any_authority=True)
    [event] = subject.collect_events()
    assert (event.authority, event.data["penalty_authority"]) == (OTHER, AUTHORITY)


def test_a_revoked_record_is_revoked_once_and_not_corrected() -> None:
    story, fine = story_with_fine()
    story.revoke_penalty("E1", fine, on="2026-05-01")
    story.revoke_penalty("E1", fine, on="2026-05-01")  # the same again: nothing new
    assert [e["type"] for e in story.envelopes].count("PenaltyRevoked") == 1
    with pytest.raises(Conflict):
        story.revoke_penalty("E1", fine, on="2026-05-02")
    with pytest.raises(WrongState):
        story.correct_penalty("E1", fine, on="2026-05-11", severity="minor")


def test_a_rename_keeps_the_former_name_and_a_deregistration_stops_renames() -> None:
    story = Story()
    story.register("E1", name="Old Name Ltd")
    story.rename("E1", "New Name Ltd", on="2024-03-01")
    story.deregister("E1", on="2025-01-02")
    state = fold(story.envelopes)
    assert (state["name"], state["former_names"]) == (
        "New Name Ltd", [{"name": "Old Name Ltd", "until": "2024-03-01"}])
    assert state["deregistered"] == {"on": "2025-01-02", "reason": "closed"}
    with pytest.raises(WrongState):
        story.rename("E1", "Third Name Ltd", on="2025-02-01")


def test_a_corrected_decision_date_moves_the_record_in_the_timeliness_counts(
        tmp_path: Path) -> None:
    # Published 2026-04-20, decided (as first recorded) 2026-04-01: late.
    story = Story()
    story.register("E1")
    fine = story.penalty("E1", "general", on="2026-04-01", published_on="2026-04-20")
    # The decision was in fact taken on 2026-04-14: published on time.
    story.correct_penalty("E1", fine, on="2026-05-11", decided_on="2026-04-14")
    store = store_at(tmp_path)
    views = [v for v in load_views() if v.name == "timeliness"]
    feed_views(store, views, [Record(0, n, e) for n, e in enumerate(story.envelopes, 1)])
    with store.reader() as tx:
        [mine] = TIMELINESS.authorities(tx, "2026-06-01")
        assert (mine["recorded"], mine["on_time"], mine["late"]) == (1, 1, 0)
        [before] = TIMELINESS.authorities(tx, "2026-04-10")  # as of then: nothing decided yet
        assert before["recorded"] == 0


def test_every_correction_event_validates_against_its_published_schema() -> None:
    story = Story()
    story.register(ACME, name="Old Name Ltd")
    fine = story.penalty(ACME, "serious", on="2026-04-07")
    licence = story.permit(ACME, on="2026-03-02")
    story.correct_penalty(ACME, fine, on="2026-05-11", severity="general",
                          fine_amount="1000.00")
    story.correct_permit(ACME, licence, on="2026-03-20", content="食品经营")
    story.revoke_permit(ACME, licence, on="2026-04-01")
    story.rename(ACME, "New Name Ltd", on="2026-05-06")
    story.deregister(ACME, on="2026-05-25")
    validator = schema_validator()
    types = set()
    for envelope in story.envelopes:
        errors = [e.message for e in validator.iter_errors(envelope)]
        assert errors == [], (envelope["type"], errors)
        types.add(envelope["type"])
    assert {"PenaltyCorrected", "PermitCorrected", "PermitRevoked", "SubjectRenamed",
            "SubjectDeregistered"} <= types
