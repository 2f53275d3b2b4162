"""An outside reader of credit.events: plain kafka-python, nothing imported from this project.

The ledger runs as another platform would see it (`credit-ledger serve`, a separate process,
fed over HTTP); this module then reads the topic and checks what docs/events.md promises:
every record's fields, per-key order, and each stream's hash chain recomputed from the
canonical form.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

FIELDS = {"id", "type", "schema_version", "subject", "stream", "version", "position",
          "occurred_at", "recorded_at", "authority", "actor", "data", "prev_hash", "hash"}
ENTERPRISES = ["91110000600037341L", "9144030071526726XG"]
TAX, MARKET = "11100000000013127D", "11100000000016032D"


def resident_id(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


PERSON_ID = resident_id("21110219800517123")


def canonical_hash(envelope: dict[str, Any]) -> str:
    """docs/events.md: SHA-256 of the sorted, compact, UTF-8 JSON without hash and position."""
    body = {k: v for k, v in envelope.items() if k not in ("hash", "position")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# -- the ledger, run as a separate process --------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def ledger_url(pg_url: str, kafka_bootstrap: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`credit-ledger serve` with its in-process relay, on a fresh store and a fresh topic."""
    topic = f"test.outside.{uuid.uuid4().hex[:8]}"
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({
        "tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
        "tok-market": {"role": "provider", "authority": MARKET, "actor": "market-clerk"}}))
    port = free_port()
    env = os.environ | {
        "LEDGER_DATABASE_URL": pg_url, "LEDGER_APP_NAME": "T" + uuid.uuid4().hex[:12],
        "LEDGER_KAFKA_BOOTSTRAP": kafka_bootstrap, "LEDGER_KAFKA_TOPIC": topic,
        "LEDGER_TOKENS_FILE": str(tokens), "LEDGER_DEMO": "0", "LEDGER_ENV": "test"}
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--no-project"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, topic
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        admin.delete_topics([topic], raise_errors=False)
        admin.close()


def record_history(base: str) -> None:
    """Two enterprises and a person, with permits, penalties, listings and commitments."""
    tax = httpx.Client(base_url=base, headers={"Authorization": "Bearer tok-tax"})
    market = httpx.Client(base_url=base, headers={"Authorization": "Bearer tok-market"})

    def ok(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    person = ok(market, "/v1/subjects", {"code": PERSON_ID, "name": "张三",
                                         "kind": "natural_person"})["subject"]
    for n, code in enumerate(ENTERPRISES):
        ok(market, "/v1/subjects", {"code": code, "name": f"盘锦某某有限公司 {n}",
                                    "kind": "enterprise"})
        ok(market, f"/v1/subjects/{code}/principals", {
            "principal": PERSON_ID, "role": "legal_representative", "since": "2020-01-06"})
        for i in range(6):
            ok(market, f"/v1/subjects/{code}/permits", {
                "decision_no": f"P-{n}-{i}", "category": "food_business",
                "decided_on": "2025-03-03", "published_on": "2025-03-05",
                "content": "食品经营许可 \"引号\" \\ 反斜杠"})
            ok(tax, f"/v1/subjects/{code}/penalties", {
                "decision_no": f"T-{n}-{i}", "severity": "general", "domain": "tax",
                "decided_on": "2025-06-02", "published_on": "2025-06-20", "category": "fine",
                "basis": "《税收征收管理法》第六十条", "fine_amount": "5000.00"})
        listing = ok(tax, f"/v1/subjects/{code}/listings", {
            "list": "black", "domain": "tax", "basis": "evasion", "notified_on": "2025-08-01",
            "listed_on": "2025-09-01", "expires_on": "2028-09-01"})["listing_id"]
        ok(tax, f"/v1/subjects/{code}/listings/{listing}/removal",
           {"delisted_on": "2026-01-05", "reason": "revoked"})
        made = ok(market, f"/v1/subjects/{code}/commitments", {
            "type": "voluntary", "made_on": "2024-03-01", "content": "依法经营"})
        ok(market, f"/v1/subjects/{code}/commitments/{made['commitment_id']}/fulfilment",
           {"on": "2025-03-01"})
    assert person.startswith("p-")


def metrics(base: str) -> dict[str, float]:
    lines = httpx.get(f"{base}/metrics").text.splitlines()
    return {ln.split()[0]: float(ln.split()[1]) for ln in lines if ln and ln[0] != "#"}


def read_all(bootstrap: str, topic: str) -> list[Any]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    ends = consumer.end_offsets(partitions)
    records: list[Any] = []
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        for batch in consumer.poll(timeout_ms=1000).values():
            records.extend(batch)
    consumer.close()
    return records


# -- the reader's checks ------------------------------------------------------------------


def test_an_outside_reader_verifies_every_record_and_every_chain(
    ledger_url: tuple[str, str], kafka_bootstrap: str,
):
    base, topic = ledger_url
    record_history(base)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        m = metrics(base)
        if m.get("credit_ledger_relay_lag") == 0 and m["credit_ledger_relay_position"] > 0:
            break
        time.sleep(0.2)
    head = int(metrics(base)["credit_ledger_head_position"])
    records = read_all(kafka_bootstrap, topic)

    # Every record: exactly the documented fields, keyed by subject, its type in a header.
    streams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    partition_of: dict[bytes, int] = {}
    for record in records:
        env = json.loads(record.value.decode("utf-8"))
        assert set(env) == FIELDS
        assert record.key == env["subject"].encode()
        assert dict(record.headers) == {"type": env["type"].encode()}
        assert uuid.UUID(env["id"]).version == 5 and uuid.UUID(env["stream"])
        assert isinstance(env["version"], int) and env["version"] >= 1
        assert isinstance(env["position"], int) and 1 <= env["position"] <= head
        date.fromisoformat(env["occurred_at"])
        assert datetime.fromisoformat(env["recorded_at"]).utcoffset() is not None
        assert env["hash"] == canonical_hash(env)
        assert partition_of.setdefault(record.key, record.partition) == record.partition
        streams[env["stream"]].append(env)

    # All of them: one record per recorded event (a duplicate would be dropped, none expected).
    positions = {e["position"] for events in streams.values() for e in events}
    assert positions == set(range(1, head + 1)) and head >= 3 + 2 * 17

    # Per key, versions in order; each stream's chain links from "" through every hash.
    for events in streams.values():
        distinct = {e["version"]: e for e in events}
        assert [e["version"] for e in events] == sorted(e["version"] for e in events)
        assert sorted(distinct) == list(range(1, len(distinct) + 1))
        prev = ""
        for version in sorted(distinct):
            assert distinct[version]["prev_hash"] == prev
            prev = distinct[version]["hash"]

    # A natural person is on Kafka only as a pseudonym: the ID number appears nowhere.
    assert not any(PERSON_ID.encode() in r.value or PERSON_ID.encode() in r.key for r in records)
    assert {e["type"] for events in streams.values() for e in events} >= {
        "SubjectRegistered", "PrincipalLinked", "PermitGranted", "PenaltyImposed", "Listed",
        "Delisted", "CommitmentMade", "CommitmentFulfilled"}
