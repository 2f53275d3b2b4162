"""Stories of what ends by itself: publicity and listings expire exactly once, and what was
repaired does not expire again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.expiry import Expiry
from tests.repair_story import ACME, BETA, MARKET, POLICY, City


def test_publicity_without_repair_ends_by_itself_exactly_once(tmp_path: Path) -> None:
    city = City.on(f"sqlite:///{tmp_path / 'l.sqlite3'}", "Expiry", today=date(2026, 11, 25))
    city.register(ACME)
    city.register(BETA, "Beta Trading Co.")
    minor = city.penalty(ACME, date(2026, 4, 10), severity="minor")  # new rules: 3 months
    city.penalty(ACME, date(2025, 11, 1), severity="general")  # old rules: until 2028-11-01
    black = city.listing(BETA, "black", date(2023, 6, 1))  # no expiry: black list max 3 years
    city.listing(BETA, "key_attention", date(2026, 1, 5), expires_on=date(2027, 1, 5))
    expiry = Expiry(city.ledger, POLICY)

    assert expiry.run(date(2026, 11, 25)) == {"penalty_publicity_ended": 1, "delisted": 1}
    # The minor penalty ended on 10 July, the day its maximum came, for the reason "expired".
    ended = city.ledger.subject(ACME).penalties[f"{MARKET}|{minor}"]
    assert (ended["status"], ended["ended_reason"]) == ("ended", "expired")
    assert city.ledger.subject(BETA).listings[black]["delisted_reason"] == "expired"
    # A second run, and a rerun from a fresh index, record nothing more.
    versions = (city.ledger.subject(ACME).version, city.ledger.subject(BETA).version)
    assert not expiry.run(date(2026, 11, 25))
    assert not Expiry(city.ledger, POLICY).run(date(2026, 11, 26))
    assert (city.ledger.subject(ACME).version, city.ledger.subject(BETA).version) == versions
    # Two years on, the rest comes due, each once.
    assert expiry.run(date(2028, 11, 1)) == {"penalty_publicity_ended": 1, "delisted": 1}
    assert city.types(ACME).count("PenaltyPublicityEnded") == 2
    assert city.types(BETA).count("Delisted") == 2


def test_what_was_repaired_does_not_expire_again(tmp_path: Path) -> None:
    city = City.on(f"sqlite:///{tmp_path / 'l.sqlite3'}", "Repaired")
    city.register(ACME)
    decision = city.penalty(ACME, date(2026, 4, 10), severity="minor")
    case = city.apply(ACME, decision, date(2026, 5, 1),
                      commitment_id=city.commitment(ACME, date(2026, 5, 1)))
    city.approve(city.accept(case, date(2026, 5, 6)), date(2026, 5, 7))
    assert not Expiry(city.ledger, POLICY).run(date(2026, 11, 25))
    assert city.types(ACME).count("PenaltyPublicityEnded") == 1
    # And an expired penalty cannot be "repaired" afterwards.
    late = city.apply(ACME, decision, date(2026, 11, 20))
    assert city.case_events(late)[-1].data["rule"] == "target_not_public"

