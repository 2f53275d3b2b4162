"""The public profile, built by one statement (projections/profile_sql.py) on PostgreSQL and
on SQLite alike: the same story, the same answer, the same calendar rules on both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.application import CreditLedger, Receipt
from ledger.identity import identify
from ledger.runtime import Runtime
from ledger.settings import Settings
from tests import calls
from tests.audit_story import AUTHORITY, CODES, blacklist, penalty, permit, register
from tests.repair_story import Clock  # the API's today, moved by the test

ORG, OTHER = CODES
PERSON = identify("11010519491231002X", "natural_person", b"development-only-pseudonym-key")


@pytest.fixture
def served(database_url: str, unique_name: str) -> Iterator[tuple[TestClient, Runtime, Clock]]:
    clock = Clock(date(2025, 9, 1))
    settings = Settings(database_url=database_url, app_name=unique_name, env="test")
    runtime = bootstrap(settings, background=True, relay=False, clock=clock)
    with TestClient(create_app(runtime)) as client:  # starts the projection runner
        yield client, runtime, clock


def lead(ledger: CreditLedger, org: str, person: str) -> Receipt:
    receipt, _ = calls.decide(ledger, org, lambda s: s.link_principal(
        principal=person, role="legal_representative", name="Zhang San", since=date(2024, 1, 2),
        authority=AUTHORITY, actor="clerk-1", today=date(2026, 1, 5)))
    return receipt


# Every profile's keys, in this order: identity, then its sections (the API adds labels
# and the region after them); `masked` only for a person, as the ledger knows it masked.
KEYS = ["code", "name", "kind", "registered_on", "authority", "registered", "as_of", "lists",
        "permits", "permits_total", "penalties", "penalties_total", "commitments",
        "commitments_total", "principals", "led_organisations", "former_names", "deregistered",
        "kind_label", "authority_name", "region", "region_label"]


def answer(client: TestClient, code: str, **params: Any) -> dict[str, Any]:
    """The profile, which must also be what /openapi.json promises (the database builds this
    body in SQL and the app sends it as it is, so no response model checks it on the way)."""
    r = client.get(f"/v1/subjects/{code}", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body: dict[str, Any] = r.json()
    doc = client.get("/openapi.json").json()
    promised = doc["paths"]["/v1/subjects/{code}"]["get"]["responses"]["200"]
    schema = promised["content"]["application/json"]["schema"]
    Draft202012Validator(schema | {"components": doc["components"]}).validate(body)
    return body


def test_the_profile_shows_every_section_in_order_and_follows_the_calendar(
        served: tuple[TestClient, Runtime, Clock]) -> None:
    client, runtime, clock = served
    ledger = runtime.ledger
    # An organisation with a permit, two penalties and a black listing, led by a person
    # whose ID number the ledger only knows masked; another organisation with nothing.
    register(ledger, ORG)
    register(ledger, OTHER, name="Quiet Co.")
    calls.register(ledger, code=PERSON.code, name="Zhang San", kind="natural_person",
                    masked=PERSON.masked, authority=AUTHORITY, actor="clerk-1",
                    registered_on=date(2024, 1, 2))
    lead(ledger, ORG, PERSON.code)
    permit(ledger, ORG, 1)
    penalty(ledger, ORG, 1)
    penalty(ledger, ORG, 2, severity="minor", decided_on=date(2025, 8, 1))
    receipt, _ = blacklist(ledger, ORG)
    wait = {"min_position": receipt.position}

    org = answer(client, ORG, **wait)
    assert "masked" not in org and org["registered"] and org["as_of"] == "2025-09-01"
    assert [p["decision_no"] for p in org["penalties"]] == ["PJ-2025-00002", "PJ-2025-00001"]
    assert org["penalties"][0]["details"]["fine"] == "5000.00" and org["penalties_total"] == 2
    assert [m["list"] for m in org["lists"]] == ["black"] and org["permits_total"] == 1
    person = answer(client, PERSON.code)
    assert person["masked"] == PERSON.masked
    assert [o["code"] for o in person["led_organisations"]] == [ORG]
    assert person["led_organisations"][0]["penalties_total"] == 2
    assert list(org) == KEYS and org["principals"] == [
        {"role": "legal_representative", "principal": PERSON.code, "name": "Zhang San",
         "since": "2024-01-02", "role_label": org["principals"][0]["role_label"]}]
    assert [(p["decision_no"], p["late"]) for p in org["permits"]] == [("PERMIT-00001", False)]
    assert org["commitments"] == [] and org["former_names"] == [] and not org["deregistered"]
    quiet = answer(client, OTHER)
    assert list(quiet) == KEYS and quiet["name"] == "Quiet Co." and quiet["lists"] == []
    assert (quiet["permits_total"], quiet["penalties_total"], quiet["led_organisations"]) == \
        (0, 0, [])
    assert list(person) == [*KEYS[:3], "masked", *KEYS[3:]]
    led = person["led_organisations"][0]
    assert (led["name"], led["kind"], led["role"], led["since"]) == \
        ("Panjin Example Co., Ltd.", "enterprise", "legal_representative", "2024-01-02")
    assert [m["list"] for m in led["dishonest_listings"]] == ["black"]

    # The day a penalty's publicity window ends, it leaves both profiles (穿透 too).
    first = min(org["penalties"], key=lambda p: p["publicity_max_until"])
    still = [p["decision_no"] for p in org["penalties"] if p is not first]
    clock.today = date.fromisoformat(first["publicity_max_until"]) - timedelta(days=1)
    assert answer(client, ORG)["penalties_total"] == 2
    clock.today += timedelta(days=1)
    org = answer(client, ORG)
    assert [p["decision_no"] for p in org["penalties"]] == still
    assert org["penalties_total"] == 1
    led = answer(client, PERSON.code)["led_organisations"][0]
    assert [p["decision_no"] for p in led["penalties"]] == still

    # A principal the ledger has not registered is known through what it leads; nobody else.
    stranger = identify("110105194912310038", "natural_person", b"development-only-pseudonym-key")
    lead(ledger, OTHER, stranger.code)
    seen = answer(client, stranger.code, min_position=ledger.recorder.max_notification_id())
    assert not seen["registered"] and seen["name"] is None and "masked" not in seen
    assert [o["code"] for o in seen["led_organisations"]] == [OTHER]
    assert seen["lists"] == [] and seen["principals"] == [] and seen["permits_total"] == 0
    missing = client.get("/v1/subjects/91000000000000000X")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
