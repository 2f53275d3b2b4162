"""Who may open, answer and close a joint reward/punishment case (docs/adr/014).

The listing's authority owns its joint case: it opens it and closes it with the feedback.
Any department answers with its own measure. An admin may open or close any case, which
stays the listing authority's. Officers scoped to domains act only on cases in them, as
with repairs. SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_joint_api import TAX_BUREAU
from tests.e2e.test_repair_api import Desk, desk_on
from tests.repair_story import ACME, COURT, CREDIT_OFFICE, MARKET

TOKENS = {
    "tok-court": {"role": "provider", "authority": COURT},
    "tok-market": {"role": "provider", "authority": MARKET},
    "tok-tax": {"role": "provider", "authority": TAX_BUREAU},
    "tok-admin": {"role": "admin", "authority": CREDIT_OFFICE},
    "tok-credit-officer": {"role": "officer", "authority": CREDIT_OFFICE},
    "tok-court-tax-officer": {"role": "officer", "authority": COURT, "domains": ["tax"]},
    "tok-court-production-officer": {"role": "officer", "authority": COURT,
                                     "domains": ["production"]},
}
OPEN = {"subject": ACME, "initiated_on": "2026-09-02"}
MEASURE = {"measure": "no government procurement", "applied_on": "2026-09-03"}
CLOSURE = {"feedback": "measures applied", "closed_on": "2026-09-04"}


@pytest.fixture
def desk(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Desk]:
    yield from desk_on(TOKENS, database_url, unique_name, tmp_path)


def production_listing(desk: Desk) -> str:
    """The court black-lists ACME in the production domain."""
    desk.city.register(ACME)
    return desk.city.listing(ACME, "black", date(2026, 9, 1), domain="production")


def production_listing_of(desk: Desk, listed_on: str) -> str:
    """A second listing of the court's, in the key-attention list."""
    return desk.city.listing(ACME, "key_attention", date.fromisoformat(listed_on),
                             domain="production")


def refused(desk: Desk, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    head = desk.city.ledger.head_position()
    response = desk.call("POST", path, body, token=token)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert desk.city.ledger.head_position() == head
    problem = dict(response.json())
    assert problem["status"] == 403
    return problem


def test_only_the_listing_authority_opens_and_closes_its_case(desk: Desk) -> None:
    body = OPEN | {"listing_id": production_listing(desk)}
    for token in ("tok-market", "tok-credit-officer"):
        problem = refused(desk, "/v1/joint-cases", body, token)
        assert problem["rule"] == "owner_only" and problem["owner"] == COURT
    case = desk.ok("/v1/joint-cases", body, token="tok-court")["id"]
    # Asking again is a replay for the court only: others learn nothing from a 200.
    refused(desk, "/v1/joint-cases", body, "tok-market")
    # Any department answers with its own measure.
    desk.ok(f"/v1/joint-cases/{case}/responses", MEASURE, token="tok-tax")
    desk.ok(f"/v1/joint-cases/{case}/responses", MEASURE, token="tok-market")
    for token in ("tok-tax", "tok-credit-officer"):
        problem = refused(desk, f"/v1/joint-cases/{case}/closure", CLOSURE, token)
        assert f"authority {COURT}" in problem["detail"]
    closed = desk.ok(f"/v1/joint-cases/{case}/closure", CLOSURE, token="tok-court")
    assert closed["status"] == "closed"
    refused(desk, f"/v1/joint-cases/{case}/closure", CLOSURE, "tok-tax")  # not even a replay


def test_an_admin_opens_and_closes_a_case_that_stays_the_listing_authoritys(desk: Desk
                                                                            ) -> None:
    listing = production_listing(desk)
    case = desk.ok("/v1/joint-cases", OPEN | {"listing_id": listing}, token="tok-admin")["id"]
    desk.ok(f"/v1/joint-cases/{case}/responses", MEASURE, token="tok-tax")
    # The court, not the admin's department, owns it: the court may close it.
    desk.ok(f"/v1/joint-cases/{case}/closure", CLOSURE, token="tok-court")
    other = production_listing_of(desk, "2026-09-05")
    case = desk.ok("/v1/joint-cases", OPEN | {"listing_id": other,
                                              "initiated_on": "2026-09-05"},
                   token="tok-court")["id"]
    desk.ok(f"/v1/joint-cases/{case}/responses", MEASURE | {"applied_on": "2026-09-05"},
            token="tok-tax")
    desk.ok(f"/v1/joint-cases/{case}/closure", CLOSURE | {"closed_on": "2026-09-06"},
            token="tok-admin")


def test_an_officer_scoped_to_tax_does_not_touch_a_production_case(desk: Desk) -> None:
    body = OPEN | {"listing_id": production_listing(desk)}
    problem = refused(desk, "/v1/joint-cases", body, "tok-court-tax-officer")
    assert "production" in problem["detail"]
    case = desk.ok("/v1/joint-cases", body, token="tok-court-production-officer")["id"]
    refused(desk, f"/v1/joint-cases/{case}/responses", MEASURE, "tok-court-tax-officer")
    desk.ok(f"/v1/joint-cases/{case}/responses", MEASURE, token="tok-tax")
    refused(desk, f"/v1/joint-cases/{case}/closure", CLOSURE, "tok-court-tax-officer")
    closed = desk.ok(f"/v1/joint-cases/{case}/closure", CLOSURE,
                     token="tok-court-production-officer")
    assert closed["status"] == "closed"
