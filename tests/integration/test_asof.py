"""`state --as-of T` answers what the public API answered at T, recorded while events arrived."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from api.labelled import label_state
from ledger.application import CreditLedger, Receipt
from ledger.identity import identify
from ledger.settings import Settings
from replay.asof import AsOf, led_in_live_views
from tests import calls
from tests.audit_story import (
    AUTHORITY,
    CODES,
    blacklist,
    delist,
    penalty,
    permit,
    register,
)

AUDITOR = {"Authorization": "Bearer auditor-token"}
ORG = CODES[0]
PAGING = ("page", "page_size", "total")


@pytest.fixture
def client(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[TestClient]:
    tokens = tmp_path / "tokens.json"
    tokens.write_bytes(orjson.dumps({"auditor-token": {"role": "auditor"}}))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens,
                        env="test")
    runtime = bootstrap(settings, background=True, relay=False)
    with TestClient(create_app(runtime)) as c:  # starts the projection runner
        yield c


def link(ledger: CreditLedger, org: str, person: str) -> Receipt:
    receipt, _ = calls.decide(ledger, org, lambda s: s.link_principal(
        principal=person, role="legal_representative", name="Zhang San", since=date(2024, 1, 2),
        authority=AUTHORITY, actor="clerk-1", today=date(2026, 1, 5)))
    return receipt


def test_state_as_of_reproduces_the_public_answers(client: TestClient):
    ledger: CreditLedger = client.app.state.runtime.ledger
    person = identify("11010519491231002X", "natural_person", b"development-only-pseudonym-key")
    seen: list[tuple[datetime, str, dict[str, Any]]] = []
    scores: list[tuple[datetime, str, dict[str, Any]]] = []

    def observe(receipt: Receipt) -> None:
        # Read-your-writes: the answer includes this write; note when it was given.
        for code in (ORG, person.code):
            wait = {"min_position": receipt.position}
            answer = client.get(f"/v1/subjects/{code}", params=wait)
            if answer.status_code == 200:
                seen.append((datetime.now(UTC), code, answer.json()))
            score = client.get(f"/v1/subjects/{code}/score", params=wait)
            if score.status_code == 200:
                body = score.json()
                assert body["total"] == len(body["explanation"])
                scores.append((datetime.now(UTC), code, {k: v for k, v in body.items()
                                                         if k not in PAGING}))
        time.sleep(0.01)  # the next event is recorded strictly after these answers

    # Events arrive one by one; an organisation led by a person (穿透) is penalised and listed.
    observe(register(ledger, ORG))
    observe(calls.register(ledger, code=person.code, name="Zhang San", kind="natural_person",
                            masked=person.masked, authority=AUTHORITY, actor="clerk-1",
                            registered_on=date(2024, 1, 2)))
    observe(link(ledger, ORG, person.code))
    observe(permit(ledger, ORG, 1))
    observe(penalty(ledger, ORG, 1))
    receipt, listing = blacklist(ledger, ORG)
    observe(receipt)
    observe(penalty(ledger, ORG, 2, severity="minor", decided_on=date(2025, 8, 1)))
    observe(delist(ledger, ORG, listing, date(2025, 9, 1), "revoked"))
    assert len({orjson.dumps(a) for _, _, a in seen}) >= 10  # the answers did change over time
    assert any(org["penalties"] for _, code, a in seen if code == person.code
               for org in a["led_organisations"])  # the person's profile showed 穿透 records

    # Later, an auditor asks what the ledger said at each of those moments.
    runtime = client.app.state.runtime
    from projections.storage import view_store

    asof = AsOf(ledger.recorder, related=led_in_live_views(view_store(runtime)))

    def state(code: str, at: datetime) -> dict[str, Any]:
        # Labelled as the public answers are (api.labelled): the codes are the replay's.
        return label_state(runtime, asof.state(code, as_of=at))

    for at, code, answer in seen:
        assert state(code, at)["profile"] == answer, (code, at)
    assert len({orjson.dumps(a) for _, _, a in scores}) >= 4
    for at, code, answer in scores:
        assert state(code, at)["score"] == answer, (code, at)
    # The auditor API gives the same, over HTTP.
    for at, code, answer in seen[::3]:
        got = client.get(f"/v1/audit/subjects/{code}/state", params={"as_of": at.isoformat()},
                         headers=AUDITOR)
        assert got.status_code == 200 and got.json()["profile"] == answer

    # Before the organisation was recorded the public API knew nothing of it: neither does as-of.
    first = seen[0][0]
    early = client.get(f"/v1/audit/subjects/{ORG}/state",
                       params={"as_of": "2020-01-01T00:00:00Z"}, headers=AUDITOR)
    assert early.status_code == 404
    assert asof.state(ORG, as_of=first)["known"]["version"] == 1


def test_effective_date_shows_what_was_in_force_then(client: TestClient):
    ledger: CreditLedger = client.app.state.runtime.ledger
    register(ledger, ORG)
    _, listing = blacklist(ledger, ORG)  # listed 2025-06-02
    delist(ledger, ORG, listing, date(2025, 9, 1), "revoked")
    asof = AsOf(ledger.recorder)
    # On 2025-07-01 the organisation was black-listed (as known now), and scored accordingly.
    then = asof.state(ORG, effective=date(2025, 7, 1))
    assert [m["list"] for m in then["profile"]["lists"]] == ["black"]
    now = asof.state(ORG)
    assert now["profile"]["lists"] == []
    assert then["score"]["score"] < now["score"]["score"]
    assert any(c["event"]["type"] == "Listed" for c in then["score"]["explanation"])
    # Both times together: as recorded before the delisting, in force on 2025-10-01.
    recorded = client.get(f"/v1/audit/subjects/{ORG}/events", headers=AUDITOR).json()
    before_delisting = recorded["events"][1]["recorded_at"]
    both = client.get(f"/v1/audit/subjects/{ORG}/state", headers=AUDITOR,
                      params={"as_of": before_delisting, "effective": "2025-10-01"}).json()
    assert [m["list"] for m in both["profile"]["lists"]] == ["black"]
    assert both["known"]["version"] == 2


def full_replay(ledger: CreditLedger, code: str, at: datetime) -> dict[str, Any] | None:
    """The reference answer: every event recorded by `at`, applied afresh, no snapshot."""
    from projections import profile_sql
    from replay.history import history
    from replay.memory import MemoryViews, subject_views

    views = MemoryViews(subject_views())
    views.apply(history(code, at, recorder=ledger.recorder).events)
    return profile_sql.profile(views.tx(), code, at.date().isoformat())


def test_snapshots_and_late_events_give_the_answers_of_a_full_replay(sqlite_url: str,
                                                                     unique_name: str):
    import random

    from tests.audit_story import ledger_for

    ledger = ledger_for(sqlite_url, unique_name)
    register(ledger, ORG)
    for i in range(40):
        permit(ledger, ORG, i)
        penalty(ledger, ORG, i, decided_on=date(2025, 1, 2 + i % 25))
    asof = AsOf(ledger.recorder)
    asof.timelines.every = 8  # many snapshots, so that most answers start from one

    cuts = random.Random(3).sample(recorded_times(ledger), 20)
    for at in cuts:
        assert asof.state(ORG, as_of=at)["profile"] == full_replay(ledger, ORG, at)
    assert len(asof.timelines.get(ORG).snapshots) >= 8

    # More events arrive; old cuts keep their answers and new ones see the new events.
    _, listing = blacklist(ledger, ORG)
    delist(ledger, ORG, listing, date(2025, 9, 1), "revoked")
    for at in [*cuts[:5], *recorded_times(ledger)[-3:]]:
        assert asof.state(ORG, as_of=at)["profile"] == full_replay(ledger, ORG, at)


def recorded_times(ledger: CreditLedger) -> list[datetime]:
    from replay.history import store_envelopes

    return [datetime.fromisoformat(e["recorded_at"])
            for e in store_envelopes(ledger.recorder, ORG)]
