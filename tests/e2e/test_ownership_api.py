"""A department's records are its own: another one may not settle its commitments or take
its listings down. An admin may correct any of them. Every refusal is a 403 problem naming
the owning authority, and stores nothing. SQLite and PostgreSQL alike."""

from __future__ import annotations

from tests.e2e._provider_helpers import ACME, COMMITMENT, LISTING, MARKET, TAX, Api

BASE = f"/v1/subjects/{ACME}"


def writes_on_tax_records(acme: Api) -> list[tuple[str, dict[str, str]]]:
    """The tax bureau's commitment and listing, and each write another department might try."""
    made = acme.ok(f"{BASE}/commitments", COMMITMENT)["commitment_id"]
    other = acme.ok(f"{BASE}/commitments", COMMITMENT | {"content": "按期纳税"})["commitment_id"]
    listed = acme.ok(f"{BASE}/listings", LISTING)["listing_id"]
    return [(f"{BASE}/commitments/{made}/fulfilment", {"on": "2025-06-01"}),
            (f"{BASE}/commitments/{other}/breach", {"on": "2025-06-01"}),
            (f"{BASE}/listings/{listed}/removal", {"delisted_on": "2025-09-01",
                                                    "reason": "error"})]


def test_another_department_is_refused_naming_the_owner(acme: Api) -> None:
    for path, body in writes_on_tax_records(acme):
        # The market department (a provider with its own authority) would change them.
        problem = acme.refused(403, path, body, token="tok-market")
        assert problem["status"] == 403 and problem["rule"] == "owner_only"
        assert problem["owner"] == TAX and f"authority {TAX}" in problem["detail"]
        # The tax bureau itself may.
        assert acme.ok(path, body)["position"] == acme.ledger.head_position()


def test_an_admin_may_correct_any_departments_record(acme: Api) -> None:
    for path, body in writes_on_tax_records(acme):
        done = acme.ok(path, body, token="tok-admin")  # an admin of the market department
        recorded = acme.stored()[-1]
        assert (done["type"], recorded["authority"]) == (recorded["type"], MARKET)


def test_a_breach_claimed_by_another_department_no_longer_blocks_repair(acme: Api) -> None:
    # The tax bureau's repair commitment: the market department cannot mark it broken, so
    # the subject's repair case still sees it as made.
    repair = acme.ok(f"{BASE}/commitments", COMMITMENT | {"type": "repair"})["commitment_id"]
    acme.refused(403, f"{BASE}/commitments/{repair}/breach", {"on": "2025-06-01"},
                 token="tok-market")
    assert acme.ledger.subject(ACME).commitments[repair]["status"] == "made"
    # Asked again after the tax bureau settled it: still 403, not a 409 revealing the state.
    acme.ok(f"{BASE}/commitments/{repair}/fulfilment", {"on": "2025-06-02"})
    acme.refused(403, f"{BASE}/commitments/{repair}/breach", {"on": "2025-06-03"},
                 token="tok-market")
