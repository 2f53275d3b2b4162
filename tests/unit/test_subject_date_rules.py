"""Stories about the dates of a fact: nothing dated tomorrow, no publication before the
decision, lateness counted in working days, and the publicity window of the decision date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import DateRuleViolation, FutureDate
from tests.unit._subject_facts import MARKET, TODAY, acme, listing, penalty, permit


@pytest.mark.parametrize("write", [
    lambda s, d: permit(s, decided_on=d, published_on=d),
    lambda s, d: penalty(s, decided_on=TODAY, published_on=d),
    lambda s, d: listing(s, "black", listed_on=d, notified_on=TODAY - timedelta(days=10)),
    lambda s, d: s.make_commitment(authority=MARKET, actor="clerk-1", commitment_type="voluntary",
                                   made_on=d, content="守法经营", due_on=None, today=TODAY),
    lambda s, d: s.link_principal(principal="p-0123", role="legal_representative", name=None,
                                  since=d, authority=MARKET, actor="clerk-1", today=TODAY),
], ids=["permit", "penalty", "listing", "commitment", "principal"])
def test_no_fact_may_be_dated_tomorrow(write: Any) -> None:
    s = acme()
    with pytest.raises(FutureDate) as caught:
        write(s, TODAY + timedelta(days=1))
    assert caught.value.field in ("decided_on", "published_on", "listed_on", "made_on", "since")
    assert s.pending_events == []
    # Today itself is fine.
    write(s, TODAY)
    assert len(s.pending_events) == 1


def test_publication_before_the_decision_is_refused() -> None:
    s = acme()
    for write in (permit, penalty):
        with pytest.raises(DateRuleViolation) as caught:
            write(s, decided_on=date(2025, 3, 3), published_on=date(2025, 3, 2))
        assert caught.value.field == "published_on"
    assert s.pending_events == []


def test_late_publication_is_recorded_and_marked_late_across_the_national_day_holiday() -> None:
    s = acme()
    # Decided on 30 September 2025; 1-8 October are holidays, Saturday 11 October is worked.
    # The seventh working day after the decision is Thursday 16 October. A calendar without
    # 2025's published schedule knows only 1-3 October and weekends: it would say the 14th.
    assert WorkingCalendar().add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 14)
    on_time = permit(s, decision_no="A", decided_on=date(2025, 9, 30),
                     published_on=date(2025, 10, 16))
    late = permit(s, decision_no="B", decided_on=date(2025, 9, 30),
                  published_on=date(2025, 10, 17))
    granted = s.collect_events()
    assert (on_time, late) == (2, 3)
    assert [e.data["late"] for e in granted] == [False, True]


def test_a_penalty_carries_the_publicity_window_of_its_decision_date() -> None:
    s = acme()
    penalty(s, severity="serious", decided_on=date(2025, 3, 3), published_on=date(2025, 3, 5))
    [imposed] = s.collect_events()
    assert imposed.data["rule_set"] == "NDRC-2023-58"
    assert imposed.data["publicity_min_until"] == "2025-06-03"
    assert imposed.data["publicity_max_until"] == "2028-03-03"

