"""Histories for relay tests: every event type once, and large backlogs recorded fast."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from ledger.application import CreditLedger
from ledger.domain.resident_id import make_resident_id
from ledger.domain.subject import Subject
from ledger.domain.uscc import make_uscc
from ledger.identity import identify
from tests import calls
from tests.calls import register
from tests.listing_terms import CALENDAR, POLICY

TODAY = date(2026, 6, 1)
MARKET = make_uscc("1", "1", "211100", "00002345")
TAX = make_uscc("1", "1", "211100", "00001312")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
PERSON = identify(make_resident_id("211102", date(1980, 5, 17), "123"), "natural_person",
                  b"relay-test-key")
TYPES = {"SubjectRegistered", "PrincipalLinked", "PermitGranted", "PenaltyImposed",
         "PenaltyRevoked", "PenaltyPublicityEnded", "Listed", "Delisted", "CommitmentMade",
         "CommitmentFulfilled", "CommitmentBreached"}


def every_type(ledger: CreditLedger, code: str = ACME) -> None:
    """An enterprise and its legal representative (a person), with one fact of each kind."""
    reg: dict[str, Any] = dict(authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 6))
    register(ledger, code=code, name="盘锦某某化工有限公司", kind="enterprise", masked=None, **reg)
    register(ledger, code=PERSON.code, name="张三", kind="natural_person", masked=PERSON.masked,
                    **reg)
    cal = ledger.calendar

    def do(decide: Any) -> Any:
        return calls.decide(ledger, code, decide)[1]

    do(lambda s: s.link_principal(principal=PERSON.code, role="legal_representative",
                                  name="张三", since=date(2020, 1, 6), authority=MARKET,
                                  actor="clerk-1", today=TODAY))
    do(lambda s: s.grant_permit(
        authority=MARKET, actor="clerk-1", decision_no="PERMIT-1", category="food_business",
        decided_on=date(2025, 3, 3), published_on=date(2025, 3, 5),
        details={"content": "食品经营许可 \"quoted\" \\ tab\t", "valid_to": "2029-01-01"},
        today=TODAY, calendar=cal))
    for no in ("TAX-1", "TAX-2"):
        do(lambda s, no=no: s.impose_penalty(
            authority=TAX, actor="officer-7", decision_no=no, severity="general", domain="tax",
            decided_on=date(2025, 6, 2), published_on=date(2025, 6, 20), category="fine",
            basis="《税收征收管理法》第六十条", special=False,
            details={"fine_amount": "5000.00"}, today=TODAY, calendar=cal))
    do(lambda s: s.revoke_penalty(authority=TAX, actor="officer-7", decision_no="TAX-1",
                                  revoked_on=date(2025, 7, 1), reason="error", today=TODAY))
    do(lambda s: s.end_penalty_publicity(penalty_authority=TAX, decision_no="TAX-2",
                                         ended_on=date(2026, 2, 2), reason="repaired",
                                         authority=TAX, actor="officer-7"))
    _, listing = do(lambda s: s.put_on_list(
        authority=TAX, actor="judge-1", list_name="black", domain="tax", basis="evasion",
        notified_on=date(2025, 8, 1), listed_on=date(2025, 9, 1), expires_on=date(2028, 9, 1),
        removal_conditions="pays the tax", today=TODAY, policy=POLICY, calendar=CALENDAR))
    do(lambda s: s.remove_from_list(listing_id=listing, authority=TAX, actor="judge-1",
                                    delisted_on=date(2026, 3, 2), reason="revoked",
                                    today=TODAY))
    for kept in (True, False):
        _, cid = do(lambda s, kept=kept: s.make_commitment(
            authority=MARKET, actor="clerk-1", commitment_type="voluntary",
            made_on=date(2024, 3, 1), content=f"依法经营 {kept}", due_on=None, today=TODAY))
        do(lambda s, cid=cid, kept=kept: s.settle_commitment(
            commitment_id=cid, kept=kept, on=date(2025, 3, 1), note="", authority=MARKET,
            actor="clerk-1", today=TODAY))


def backlog(ledger: CreditLedger, events: int, *, start: int = 0, per_save: int = 1000) -> None:
    """`events` events, five per subject, a thousand subjects per save() (fast bulk path)."""
    pending: list[Subject] = []
    for i in range(start, start + events // 5):
        s = Subject.register(code=f"B{i:017d}", name=f"Backlog {i}", kind="enterprise",
                             masked=None, authority=MARKET, actor="bulk", registered_on=TODAY)
        for j in range(4):
            s.make_commitment(authority=MARKET, actor="bulk", commitment_type="voluntary",
                              made_on=TODAY, content=f"c{j}", due_on=None, today=TODAY)
        pending.append(s)
        if len(pending) == per_save:
            ledger.save(*pending)
            pending = []
    if pending:
        ledger.save(*pending)


def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every record on the topic now, partition by partition, from offset 0 to the end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        records: list[Any] = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000, max_records=20000).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def distinct_events(records: Iterable[Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """What a consumer deduplicating by (stream, version) keeps: each event once."""
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for record in records:
        env = orjson.loads(record.value)
        seen.setdefault((env["stream"], env["version"]), env)
    return seen


def store_events(ledger: CreditLedger) -> set[tuple[str, int]]:
    rows = ledger.recorder.select_notifications(1, 10_000_000)
    return {(str(n.originator_id), n.originator_version) for n in rows}


def duplicates(records: Iterable[Any]) -> int:
    counts: dict[bytes, int] = defaultdict(int)
    for record in records:
        counts[record.value] += 1
    return sum(c - 1 for c in counts.values())


def relay_to_head(relay: Any, ledger: CreditLedger, timeout: float = 60.0) -> None:
    """Run the relay in a thread until it has recorded the store's head, then stop it cleanly."""
    import threading
    import time

    head = ledger.head_position()
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while (relay.position or 0) < head and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    assert relay.position == head, f"relay stuck at {relay.position} of {head}: {relay.status()}"


def schema_validator() -> Any:
    """A validator for the envelope, resolving events/<Type>.json from docs/schema."""
    from pathlib import Path

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    root = Path(__file__).resolve().parents[1] / "docs" / "schema"
    schemas = [orjson.loads(p.read_bytes()) for p in sorted(root.rglob("*.json"))]
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas)
    envelope = next(s for s in schemas if s["$id"].endswith("/envelope.json"))
    return Draft202012Validator(envelope, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)
