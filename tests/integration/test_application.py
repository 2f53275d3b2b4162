"""Application stories, the same on the embedded SQLite store and on real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.application import CreditLedger
from ledger.build import build_ledger
from ledger.domain.envelope import broken_link
from ledger.domain.errors import AlreadyExists, Conflict, DateRuleViolation, NotFound
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc
from ledger.identity import identify
from ledger.settings import Settings
from ledger.store.notifications import envelope_from_notification
from tests.calls import decide, register
from tests.listing_terms import CALENDAR, POLICY, longest, notice

TODAY = date(2025, 11, 20)
TAX = make_uscc("1", "1", "110000", "00001312")
ACME = "91110000600037341L"
PERSON_ID = "11010519491231002X"

Ledgers = Callable[..., CreditLedger]


@pytest.fixture
def ledgers(ledgers: Ledgers) -> Ledgers:
    """The integration ledgers (conftest.py), all on one set of tables, dated TODAY."""
    return lambda **overrides: ledgers(clock=lambda: TODAY, **overrides)


@pytest.fixture
def ledger(ledgers: Ledgers) -> CreditLedger:
    ledger = ledgers()
    register(ledger, code=ACME, name="Acme Trading", kind="enterprise", masked=None,
                    authority=TAX, actor="clerk-1", registered_on=date(2020, 1, 6))
    return ledger


def permit(ledger: CreditLedger, number: str, published_on: date = date(2025, 3, 5)
           ) -> Callable[[Subject], int]:
    return lambda s: s.grant_permit(
        authority=TAX, actor="clerk-1", decision_no=number, category="general",
        decided_on=date(2025, 3, 3), published_on=published_on, details={"content": "许可"},
        today=ledger.clock(), calendar=ledger.calendar)


def listing(list_name: str, listed_on: date, notified_on: date | None = None
            ) -> Callable[[Subject], tuple[int, str]]:
    return lambda s: s.put_on_list(
        authority=TAX, actor="officer-7", list_name=list_name, domain="tax", basis="税收违法",
        notified_on=notified_on or notice(listed_on), listed_on=listed_on,
        expires_on=longest(list_name, "tax", listed_on), removal_conditions="", today=TODAY,
        policy=POLICY, calendar=CALENDAR)


def envelopes(ledger: CreditLedger) -> list[dict[str, Any]]:
    notifications = ledger.recorder.select_notifications(start=1, limit=10_000)
    return [envelope_from_notification(n) for n in notifications]


def plain_hash(envelope: dict[str, Any]) -> str:
    body = {k: v for k, v in envelope.items() if k not in ("hash", "position")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- recording -----------------------------------------------------------------------


def test_each_write_answers_its_global_position(ledger: CreditLedger) -> None:
    receipt, version = decide(ledger, ACME, permit(ledger, "P-1"))
    assert (receipt.position, receipt.version, version) == (2, 2, 2)
    assert receipt.type == "PermitGranted" and receipt.created
    assert receipt.hash == envelopes(ledger)[-1]["hash"]
    assert ledger.head_position() == 2


def test_resubmission_answers_the_first_receipt_and_stores_nothing(ledger: CreditLedger) -> None:
    first, _ = decide(ledger, ACME, permit(ledger, "P-1"))
    decide(ledger, ACME, permit(ledger, "P-2"))
    # The department's retry of P-1 arrives after P-2 was recorded.
    again, _ = decide(ledger, ACME, permit(ledger, "P-1"))
    assert not again.created
    assert (again.position, again.version, again.hash) == (first.position, first.version,
                                                           first.hash)
    assert ledger.head_position() == 3


def test_a_conflicting_payload_is_refused_and_stores_nothing(ledger: CreditLedger) -> None:
    decide(ledger, ACME, permit(ledger, "P-1"))
    with pytest.raises(Conflict):
        decide(ledger, ACME, permit(ledger, "P-1", published_on=date(2025, 3, 6)))
    assert ledger.head_position() == 2


def test_registering_again_is_idempotent_but_a_different_identity_conflicts(
        ledger: CreditLedger) -> None:
    again = register(ledger, code=ACME, name="Acme Trading", kind="enterprise", masked=None,
                            authority=TAX, actor="clerk-2")
    assert (again.position, again.created) == (1, False)
    with pytest.raises(AlreadyExists):
        register(ledger, code=ACME, name="Other Name", kind="enterprise", masked=None,
                        authority=TAX, actor="clerk-2")
    assert ledger.head_position() == 1


def test_an_unknown_subject_is_not_found(ledger: CreditLedger) -> None:
    with pytest.raises(NotFound):
        decide(ledger, "9144030071526726XG", permit(ledger, "P-1"))
    assert ledger.head_position() == 1


def test_a_refused_rule_stores_nothing(ledger: CreditLedger) -> None:
    with pytest.raises(DateRuleViolation):
        decide(ledger, ACME, listing("black", date(2025, 5, 6), notified_on=date(2025, 5, 7)))
    assert ledger.head_position() == 1


def test_black_listing_ends_red_listing_in_one_save(ledgers: Ledgers,
                                                    ledger: CreditLedger) -> None:
    _, (_, red) = decide(ledger, ACME, listing("red", date(2024, 3, 1)))
    receipt, (_, black) = decide(ledger, ACME, listing("black", date(2025, 5, 6)))
    # The receipt names the listing; the red listing's end follows it at the next position.
    assert (receipt.position, receipt.type) == (3, "Listed")
    stored = envelopes(ledger)
    assert [(e["position"], e["type"]) for e in stored[-2:]] == [(3, "Listed"), (4, "Delisted")]
    assert stored[-1]["data"]["listing_id"] == red
    # A fresh process on the same tables sees only the black listing.
    reopened = ledgers().subject(ACME)
    assert list(reopened.active_listings()) == [black]


def test_the_stored_chain_verifies_and_every_hash_recomputes_with_plain_json(
        ledger: CreditLedger) -> None:
    person = identify(PERSON_ID, "natural_person", b"development-only-pseudonym-key")
    register(ledger, code=person.code, name="张三", kind="natural_person", masked=person.masked,
                    authority=TAX, actor="clerk-1")
    decide(ledger, ACME, permit(ledger, "京许〔2025〕1号"))
    decide(ledger, ACME, listing("red", date(2024, 3, 1)))
    decide(ledger, ACME, listing("key_attention", date(2025, 5, 6)))
    by_stream: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for envelope in envelopes(ledger):
        by_stream[envelope["stream"]].append(envelope)
        assert plain_hash(envelope) == envelope["hash"]
    assert len(by_stream) == 2
    assert all(broken_link(chain) is None for chain in by_stream.values())
    # The person's number is stored nowhere, only its pseudonym and masked form.
    raw = b"".join(n.state for n in ledger.recorder.select_notifications(start=1, limit=100))
    assert PERSON_ID.encode() not in raw and PERSON_ID[:17].encode() not in raw
    assert person.code.encode() in raw


# -- concurrent writers --------------------------------------------------------------


def test_a_concurrent_write_is_retried_on_fresh_state(ledgers: Ledgers,
                                                      ledger: CreditLedger) -> None:
    other = ledgers()
    decisions = []

    def racing(s: Subject) -> int:
        decisions.append(s.version)
        if len(decisions) == 1:
            # Another process records a permit for the same subject between our read and save.
            decide(other, ACME, permit(other, "P-other"))
        return permit(ledger, "P-mine")(s)

    receipt, _ = decide(ledger, ACME, racing)
    # Our first decision was made on version 1, lost the race, and was made again on version 2.
    assert decisions == [1, 2]
    assert (receipt.version, receipt.created) == (3, True)
    stored = envelopes(ledger)
    assert [e["data"]["decision_no"] for e in stored[1:]] == ["P-other", "P-mine"]
    # PostgreSQL may skip the position the losing insert drew; order is what is kept.
    assert receipt.position == stored[-1]["position"] > stored[-2]["position"]


def test_a_write_that_keeps_losing_the_race_is_a_conflict(ledgers: Ledgers) -> None:
    ledger = ledgers(conflict_retries=1)
    register(ledger, code=ACME, name="Acme Trading", kind="enterprise", masked=None,
                    authority=TAX, actor="clerk-1")
    other = ledgers()
    attempts = iter(range(10))

    def racing(s: Subject) -> int:
        decide(other, ACME, permit(other, f"P-other-{next(attempts)}"))
        return permit(ledger, "P-mine")(s)

    with pytest.raises(Conflict):
        decide(ledger, ACME, racing)
    # Two attempts, both beaten; our permit was never stored.
    decisions = [e["data"].get("decision_no") for e in envelopes(ledger)]
    assert decisions == [None, "P-other-0", "P-other-1"]


def test_two_processes_writing_one_subject_lose_nothing(ledgers: Ledgers,
                                                        ledger: CreditLedger) -> None:
    writers = [ledgers(conflict_retries=50), ledgers(conflict_retries=50)]
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for i in range(10):
                decide(writers[w], ACME, permit(writers[w], f"P-{w}-{i}"))
        except BaseException as e:  # surfaced to the test thread below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    chain = envelopes(ledger)
    assert [e["version"] for e in chain] == list(range(1, 22))
    assert broken_link(chain) is None
    assert {e["data"]["decision_no"] for e in chain[1:]} == {
        f"P-{w}-{i}" for w in range(2) for i in range(10)}


def test_processes_starting_together_on_one_postgresql_database_all_start(pg_url: str) -> None:
    # API, relay and projector start at once, each creating its tables beside the others';
    # the library's shared type and function are re-created by every one of them.
    started: list[CreditLedger] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            name = "T" + uuid.uuid4().hex[:12]
            started.append(build_ledger(Settings(database_url=pg_url, app_name=name,
                                                 pool_size=1)))
        except BaseException as e:  # surfaced to the test thread below
            errors.append(e)

    for _ in range(3):
        threads = [threading.Thread(target=start) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for ledger in started:
        ledger.close()
    assert errors == [] and len(started) == 18
