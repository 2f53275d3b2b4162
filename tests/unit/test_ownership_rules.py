"""Who may write on a record already in the ledger, decided by the aggregates themselves.

A department's commitments, listings and penalties are its own; an admin may correct any.
The officer who accepted a repair case does not decide it. A person's ID number is never an
organisation's code. No services: the rules live in the domain, not in the routers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledger.domain.errors import WrongState
from ledger.domain.joint_case import JointCase
from ledger.domain.ownership import NotOwner
from ledger.domain.repair_case import SameOfficer
from ledger.domain.resident_id import PersonalNumberAsCode, make_resident_id
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc
from tests import calls as repairs
from tests.repair_story import ACME, COURT, DECIDER, MARKET, OFFICER, POLICY, City

TODAY = date(2026, 11, 25)
TAX = make_uscc("1", "1", "110000", "00001312")


@pytest.fixture
def city() -> City:
    city = City.in_memory()
    city.register(ACME)
    return city


def subject(city: City) -> Subject:
    return city.ledger.subject(ACME)


def test_only_the_recording_authority_settles_a_commitment(city: City) -> None:
    # The market department took a commitment; the court would mark it broken.
    cid = city.commitment(ACME, date(2026, 8, 1), kind="voluntary")
    acme = subject(city)
    with pytest.raises(NotOwner) as refused:
        acme.settle_commitment(commitment_id=cid, kept=False, on=TODAY, note="broken",
                               authority=COURT, actor="judge-1", today=TODAY)
    assert refused.value.owner == MARKET and MARKET in refused.value.message
    assert refused.value.status == 403 and refused.value.rule == "owner_only"
    assert acme.pending_events == [] and acme.commitments[cid]["status"] == "made"
    # An admin (any_authority) may; so may the market department itself.
    acme.settle_commitment(commitment_id=cid, kept=True, on=TODAY, note="kept",
                           authority=COURT, actor="admin", today=TODAY, any_authority=True)
    assert acme.commitments[cid]["status"] == "fulfilled"


def test_a_file_run_again_settles_nothing_new_and_still_names_the_owner(city: City) -> None:
    # The market department's file says the commitment was kept; run again, nothing is new.
    cid = city.commitment(ACME, date(2026, 8, 1), kind="voluntary")
    acme = subject(city)
    kept = {"commitment_id": cid, "on": TODAY, "note": "", "today": TODAY, "rerun": True}
    acme.settle_commitment(kept=True, authority=MARKET, actor="import", **kept)
    acme.collect_events()
    acme.settle_commitment(kept=True, authority=MARKET, actor="import", **kept)
    assert acme.pending_events == []
    # The court's file learns nothing by a no-op: refused, naming the owner.
    with pytest.raises(NotOwner):
        acme.settle_commitment(kept=True, authority=COURT, actor="import", **kept)
    # A file saying the opposite conflicts, on the row's outcome.
    with pytest.raises(WrongState) as conflict:
        acme.settle_commitment(kept=False, authority=MARKET, actor="import", **kept)
    assert conflict.value.field == "outcome" and acme.pending_events == []
    # Over the API the same outcome twice is a conflict too, naming no field of the body.
    with pytest.raises(WrongState) as twice:
        acme.settle_commitment(kept=True, authority=MARKET, actor="clerk-1",
                               **(kept | {"rerun": False}))
    assert twice.value.field is None


def test_only_the_listing_authority_removes_a_listing_even_one_already_removed(
    city: City,
) -> None:
    listing = city.listing(ACME, "black", date(2026, 3, 2), authority=COURT)
    acme = subject(city)
    for reason in ("error", "error"):  # before and after the court's own removal
        with pytest.raises(NotOwner, match=COURT):
            acme.remove_from_list(listing_id=listing, authority=MARKET, actor="clerk-1",
                                  delisted_on=TODAY, reason=reason, today=TODAY)
        if acme.listings[listing]["active"]:
            acme.remove_from_list(listing_id=listing, authority=COURT, actor="judge-1",
                                  delisted_on=TODAY, reason="error", today=TODAY)


def test_only_the_deciding_authority_revokes_its_penalty(city: City) -> None:
    decision_no = city.penalty(ACME, date(2026, 4, 1))  # decided by the market department
    acme = subject(city)
    with pytest.raises(NotOwner) as refused:
        acme.revoke_penalty(authority=TAX, actor="tax-1", decision_no=decision_no,
                            revoked_on=TODAY, reason="mistake", today=TODAY)
    assert refused.value.owner == MARKET and acme.pending_events == []
    acme.revoke_penalty(authority=MARKET, actor="clerk-1", decision_no=decision_no,
                        revoked_on=TODAY, reason="mistake", today=TODAY)
    assert acme.penalties[f"{MARKET}|{decision_no}"]["status"] == "revoked"


def test_a_joint_case_is_opened_and_closed_by_the_listing_authority(city: City) -> None:
    listing_id = city.listing(ACME, "black", date(2026, 3, 2))  # by the court
    listing = subject(city).listings[listing_id]
    with pytest.raises(NotOwner, match=COURT):
        JointCase.initiate(subject=ACME, listing=listing, on=TODAY, authority=MARKET,
                           actor="clerk-1", today=TODAY)
    # An admin opens it for the court; the case stays the court's.
    case = JointCase.initiate(subject=ACME, listing=listing, on=TODAY, authority=MARKET,
                              actor="admin", today=TODAY, any_authority=True)
    case.respond(measure="no procurement", on=TODAY, authority=TAX, actor="tax-1", today=TODAY)
    with pytest.raises(NotOwner, match=COURT):
        case.close(feedback="done", on=TODAY, authority=TAX, actor="tax-1", today=TODAY)
    case.close(feedback="done", on=TODAY, authority=COURT, actor="judge-1", today=TODAY)
    assert case.status == "closed"


def test_four_eyes_the_accepting_officer_does_not_decide(city: City) -> None:
    fine = city.penalty(ACME, date(2026, 4, 1))
    commitment = city.commitment(ACME, date(2026, 8, 1))
    case = city.accept(city.apply(ACME, fine, date(2026, 8, 3), commitment_id=commitment),
                       date(2026, 8, 4))  # accepted by OFFICER
    head = city.ledger.head_position()
    with pytest.raises(SameOfficer) as refused:
        repairs.approve(city.ledger, str(case.id), on=date(2026, 8, 5), by=OFFICER,
                        policy=POLICY)
    assert (refused.value.rule, refused.value.status) == ("four_eyes", 403)
    assert OFFICER.actor in refused.value.message
    with pytest.raises(SameOfficer):
        repairs.reject(city.ledger, str(case.id), on=date(2026, 8, 5), reasons=["incomplete"],
                       by=OFFICER, policy=POLICY)
    assert city.case_events(case)[-1].__class__.__name__ == "RepairAccepted"
    assert city.ledger.head_position() == head
    # Another officer decides.
    assert city.approve(case, date(2026, 8, 5)).status == "approved"  # by DECIDER
    assert city.case_events(case)[-1].actor == DECIDER.actor != OFFICER.actor


def test_with_four_eyes_off_the_accepting_officer_may_decide(city: City) -> None:
    fine = city.penalty(ACME, date(2026, 4, 1))
    commitment = city.commitment(ACME, date(2026, 8, 1))
    case = city.accept(city.apply(ACME, fine, date(2026, 8, 3), commitment_id=commitment),
                       date(2026, 8, 4))
    _, done = repairs.reject(city.ledger, str(case.id), on=date(2026, 8, 5),
                             reasons=["incomplete"], by=OFFICER,
                             policy=replace(POLICY, four_eyes=False))
    assert done.status == "rejected" and city.case_events(case)[-1].actor == OFFICER.actor


@pytest.mark.parametrize("kind", ["enterprise", "individual_business", "government_body"])
def test_a_resident_id_number_is_never_an_organisations_code(kind: str) -> None:
    number = "110101199003012209"  # a valid ID number that passes the USCC checks too
    with pytest.raises(PersonalNumberAsCode) as refused:
        Subject.register(code=number, name="某某", kind=kind, masked=None, authority=MARKET,
                         actor="clerk-1", registered_on=TODAY)
    assert (refused.value.field, refused.value.rule) == ("code", "resident_id_as_code")
    assert number not in refused.value.message
    # Mistyped (check character wrong), it is no valid ID number: the USCC rules judge it.
    other = make_resident_id("211102", date(1988, 3, 7), "123")
    Subject.register(code=other[:17] + ("0" if other[17] != "0" else "1"), name="某某",
                     kind=kind, masked=None, authority=MARKET, actor="clerk-1",
                     registered_on=TODAY)
