"""Repair stories on the real stores: SQLite and PostgreSQL, chosen by settings alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from api import cli
from api.bootstrap import bootstrap
from ledger.domain.errors import Conflict, RuleViolation
from ledger.domain.repair import RepairRuleBroken
from ledger.expiry import Expiry
from ledger.repair.worklist import Worklist
from ledger.settings import Settings
from tests import calls as repairs
from tests.calls import decide
from tests.repair_story import ACME, MARKET, OFFICER, POLICY, City


@pytest.fixture
def city(database_url: str, unique_name: str) -> Iterator[City]:
    city = City.on(database_url, unique_name, today=date(2026, 11, 25))
    city.register(ACME)
    yield city
    city.ledger.close()


def test_a_black_listed_subject_is_repaired_delisted_and_may_be_red_listed(city: City) -> None:
    # The tax bureau's court black-lists Acme on 2 June 2025.
    black = city.listing(ACME, "black", date(2025, 6, 2), domain="tax")
    # While black-listed it cannot be red-listed.
    with pytest.raises(RuleViolation, match="cannot be red-listed"):
        city.listing(ACME, "red", date(2026, 7, 1), domain="tax", authority=MARKET)
    # A year on, it has paid, committed to repair, trained, and obtained a credit report.
    commitment = city.commitment(ACME, date(2026, 6, 20))
    case = city.apply(ACME, black, date(2026, 6, 22), commitment_id=commitment)
    repairs.record_training(city.ledger, str(case.id), on=date(2026, 6, 24),
                            provider="City credit school", certificate_no="T-1", by=OFFICER)
    repairs.submit_report(city.ledger, str(case.id), issued_on=date(2026, 6, 25),
                          agency="Panjin Credit Rating Ltd.", report_no="R-7",
                          conclusion="no further dishonesty", by=OFFICER)
    case = city.approve(city.accept(case, date(2026, 6, 26)), date(2026, 7, 3))
    # It leaves the black list for the reason "repaired"...
    listing = city.ledger.subject(ACME).listings[black]
    assert (listing["active"], listing["delisted_reason"]) == (False, "repaired")
    # ...and a red listing is accepted again.
    city.listing(ACME, "red", date(2026, 7, 6), domain="tax", authority=MARKET)
    assert city.ledger.subject(ACME).active_listings("red")
    # The case keeps its timeline; the authority must be told by 8 July.
    assert [type(e).__name__ for e in city.case_events(case)] == [
        "RepairApplied", "RepairTrainingCompleted", "RepairReportSubmitted", "RepairAccepted",
        "RepairApproved"]
    assert case.notify_due == "2026-07-08"


def test_a_rejection_keeps_the_penalty_public(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 7))
    case = city.apply(ACME, decision, date(2026, 8, 3),
                      commitment_id=city.commitment(ACME, date(2026, 8, 1)))
    case = city.reject(city.accept(case, date(2026, 8, 4)), date(2026, 8, 10),
                       "the corrective order is not yet performed")
    rejected = city.case_events(case)[-1]
    assert rejected.data["reasons"] == ["the corrective order is not yet performed"]
    assert next(iter(city.ledger.subject(ACME).penalties.values()))["status"] == "public"
    # The worklist shows the rejection, waiting for the authority to be told.
    worklist = Worklist(city.ledger)
    worklist.catch_up()
    [row] = worklist.page().items
    assert (row["status"], row["due_on"]) == ("rejected", "2026-08-13")


def test_approval_and_the_end_of_publicity_are_one_save(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 7))
    case = city.accept(city.apply(ACME, decision, date(2026, 8, 3),
                                  commitment_id=city.commitment(ACME, date(2026, 8, 1))),
                       date(2026, 8, 4))
    approved = city.approve(case, date(2026, 8, 5))
    # Both facts sit side by side in the global order: one transaction.
    notes = city.ledger.recorder.select_notifications(1, 100)
    kinds = [(n.topic.rpartition(":")[2], n.id) for n in notes]
    i = [k for k, _ in kinds].index("RepairApproved")
    assert kinds[i + 1][0] == "PenaltyPublicityEnded"
    assert kinds[i + 1][1] == kinds[i][1] + 1
    assert approved.status == "approved"


def test_a_concurrent_revocation_makes_the_approval_change_nothing(
    city: City, database_url: str, unique_name: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    decision = city.penalty(ACME, date(2026, 4, 7))
    case = city.accept(city.apply(ACME, decision, date(2026, 8, 3),
                                  commitment_id=city.commitment(ACME, date(2026, 8, 1))),
                       date(2026, 8, 4))
    # Another process revokes the penalty just before the approval is saved.
    other = City.on(database_url, unique_name)
    real_save = city.ledger.save

    def save_after_a_revocation(*objs: Any) -> Any:
        if not other.types(ACME).count("PenaltyRevoked"):
            decide(other.ledger, ACME, lambda s: s.revoke_penalty(
                authority=MARKET, actor="clerk-2", decision_no=decision,
                revoked_on=date(2026, 8, 5), reason="annulled on review", today=date(2026, 8, 5)))
        return real_save(*objs)

    monkeypatch.setattr(city.ledger, "save", save_after_a_revocation)
    # The first save conflicts as a whole; deciding again on fresh state refuses the approval.
    with pytest.raises(RepairRuleBroken) as refused:
        city.approve(case, date(2026, 8, 5))
    assert refused.value.rule == "target_not_public"
    assert [type(e).__name__ for e in city.case_events(case)][-1] == "RepairAccepted"
    assert "PenaltyPublicityEnded" not in city.types(ACME)
    other.ledger.close()


def test_expiry_runs_once_on_this_store(city: City) -> None:
    city.penalty(ACME, date(2026, 4, 10), severity="minor")
    black = city.listing(ACME, "black", date(2023, 5, 2), domain="tax")
    expiry = Expiry(city.ledger, POLICY)
    assert expiry.run(date(2026, 11, 25)) == {"penalty_publicity_ended": 1, "delisted": 1}
    assert not expiry.run(date(2026, 11, 25))
    assert city.ledger.subject(ACME).listings[black]["delisted_reason"] == "expired"
    assert city.types(ACME).count("Delisted") == 1


def test_the_expire_command_and_the_service_end_what_is_due(
    tmp_path: Path, unique_name: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    city = City.on(url, unique_name, today=date(2026, 11, 25))
    city.register(ACME)
    city.penalty(ACME, date(2026, 4, 10), severity="minor")  # ends 10 July 2026
    city.penalty(ACME, date(2026, 6, 10), severity="minor")  # ends 10 September 2026
    city.ledger.close()
    monkeypatch.setenv("LEDGER_DATABASE_URL", url)
    monkeypatch.setenv("LEDGER_APP_NAME", unique_name)
    app = typer.Typer()
    cli.register_all(app)
    # As of August only the first is due; run twice, it ends once.
    for expected in ("1 penalty publicities ended", "0 penalty publicities ended"):
        result = CliRunner().invoke(app, ["expire", "--today", "2026-08-01"])
        assert result.exit_code == 0, result.output
        assert expected in result.output
    # In a server the service runs at start, and says so on /readyz.
    settings = Settings(database_url=url, app_name=unique_name, env="test")
    runtime = bootstrap(settings, background=True, expire=True, project=False,
                        clock=lambda: date(2026, 11, 25))
    [service] = [s for s in runtime.services if s.name == "expiry"]
    runtime.start()
    try:
        for _ in range(200):
            if service.status()["last_run"]:
                break
            time.sleep(0.05)
        assert service.status()["last_run"]["penalty_publicity_ended"] == 1
        assert runtime.readiness()["expiry"]["ok"] is True
    finally:
        runtime.close()
    # Tools and tests that do not ask for it never expire anything behind their back.
    quiet = bootstrap(settings, background=True)
    assert "expiry" not in [s.name for s in quiet.services]
    quiet.close()


def one_application_at_a_time(city: City) -> None:
    decision = city.penalty(ACME, date(2026, 4, 7))
    case = city.apply(ACME, decision, date(2026, 8, 3))
    head = city.ledger.head_position()
    # While that case is open, the ledger itself refuses another on the same penalty, and the
    # first sent again: whoever calls it (the API, a script), naming the target.
    for applied_on in (date(2026, 8, 4), date(2026, 8, 3)):
        with pytest.raises(Conflict) as refused:
            city.apply(ACME, decision, applied_on)
        assert (refused.value.status, refused.value.field) == (409, "target")
        assert str(refused.value) == f"case {case.id} on this penalty is still open"
    assert city.ledger.head_position() == head
    # Withdrawn, the case is closed: a new application is taken.
    repairs.withdraw(city.ledger, str(case.id), on=date(2026, 8, 5), reason=None, by=OFFICER)
    assert city.apply(ACME, decision, date(2026, 8, 6)).status == "applied"


def test_one_application_at_a_time_on_a_real_store(city: City) -> None:
    one_application_at_a_time(city)


def test_one_application_at_a_time_in_memory() -> None:
    city = City.in_memory()
    city.register(ACME)
    one_application_at_a_time(city)
