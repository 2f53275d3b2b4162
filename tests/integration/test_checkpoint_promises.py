"""The checkpoint promise and the checkpoint's provenance, against tampering by plain SQL.

The checkpointer signs at least every N events and every M seconds, so a store with more (or
older) events than that beyond its latest believed checkpoint has lost checkpoints; verify says
so. A checkpoint is believed only for this ledger, with exactly its signed fields, signed by a
listed public key (no private seed needed). The checkpointer itself refuses to sign events that
do not hold. Same story as tests/integration/test_checkpoints.py: positions 1-7, CODES[0]'s
stream at 1, 3, 4, 5 and CODES[1]'s at 2, 6, 7.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from ledger.build import build_ledger
from ledger.checkpoints import Checkpointer, UnsafeToSign, latest
from ledger.domain.checkpoint import checkpoint_stream
from ledger.domain.subject import subject_stream
from ledger.settings import Settings
from ledger.signing import Signer
from replay import jobs
from replay.anchor import BadCheckpoint, from_file
from replay.report import Report
from tests.audit_story import CODES, penalty, story
from tests.tamper import Store

FIRST = subject_stream(CODES[0])
OPERATOR_SEED = "22" * 32


def signed_story(database_url: str, app_name: str, **settings: Any) -> tuple[Any, Settings]:
    s = Settings(database_url=database_url, app_name=app_name, env="test", **settings)
    ledger = build_ledger(s)
    story(ledger)
    checkpointer(ledger, s).record(force=True)
    return ledger, s


def checkpointer(ledger: Any, settings: Settings) -> Checkpointer:
    return Checkpointer(ledger, Signer.from_settings(settings),
                        every=settings.checkpoint_every_events,
                        interval_s=settings.checkpoint_interval_s)


def verify(ledger: Any, settings: Settings) -> Report:
    return jobs.run(ledger, settings, jobs.new_report(settings, "store"))


def first_break(report: Report) -> tuple[str, int, int | None, str]:
    assert not report.ok, "verify passed"
    first = report.first_break
    assert first is not None
    return first.stream, first.version, first.position, first.reason


def test_a_deleted_checkpoint_stream_no_longer_hides_a_deleted_stream(database_url: str,
                                                                      unique_name: str):
    # Checkpoints every 3 events: positions 3, 6 and (forced) 7 are signed.
    ledger, settings = signed_story(database_url, unique_name, checkpoint_every_events=3)
    assert verify(ledger, settings).ok
    tamper = Store(database_url, unique_name)
    tamper.delete_stream(checkpoint_stream(unique_name))
    tamper.delete_stream(subject_stream(CODES[1]))
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(checkpoint_stream(unique_name)), 1, 1)
    assert reason.startswith("4 events at positions 1 to 5 sit with no believed checkpoint "
                             "at all: more than 3")


def test_a_deleted_checkpoint_tail_is_caught_by_the_event_count(database_url: str,
                                                                unique_name: str):
    # A checkpoint after every event: versions 1-7 of the checkpoint stream cover 1-7.
    ledger, settings = signed_story(database_url, unique_name, checkpoint_every_events=1)
    tamper = Store(database_url, unique_name)
    for version in range(2, 8):  # all but the first checkpoint, and a stream's last event
        tamper.delete(checkpoint_stream(unique_name), version)
    tamper.delete(FIRST, 4)
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(checkpoint_stream(unique_name)), 2, 2)
    assert ("5 events at positions 2 to 7 sit after the latest believed checkpoint "
            "(position 1): more than 2") in reason


def test_events_older_than_the_interval_need_a_checkpoint(database_url: str,
                                                         unique_name: str):
    ledger, settings = signed_story(database_url, unique_name, checkpoint_interval_s=0.5)
    penalty(ledger, CODES[0], 9)
    assert verify(ledger, settings).ok  # recorded just now: a checkpoint may still be due
    Store(database_url, unique_name).delete(checkpoint_stream(unique_name), 1)
    time.sleep(1.2)
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(checkpoint_stream(unique_name)), 1, 1)
    assert "over twice LEDGER_CHECKPOINT_INTERVAL_S (0.5 s) ago" in reason


def test_an_auditor_verifies_with_public_keys_only_and_keys_rotate(database_url: str,
                                                                  unique_name: str):
    ledger, operator = signed_story(database_url, unique_name, signing_key=OPERATOR_SEED)
    old_key = Signer.from_settings(operator).public_key
    # The auditor holds the operator's public key (hex here), never its seed.
    auditor = Settings(database_url=database_url, app_name=unique_name, env="test",
                       checkpoint_public_keys=[base64.b64decode(old_key).hex()])
    assert verify(ledger, auditor).ok, verify(ledger, auditor).breaks
    # The operator rotates to a new key; a new checkpoint is signed with it.
    rotated = operator.model_copy(update={"signing_key": SecretStr("33" * 32)})
    penalty(ledger, CODES[0], 9)
    checkpointer(ledger, rotated).record(force=True)
    new_key = Signer.from_settings(rotated).public_key
    both = auditor.model_copy(update={"checkpoint_public_keys": [old_key, new_key]})
    assert verify(ledger, both).ok
    only_new = auditor.model_copy(update={"checkpoint_public_keys": [new_key]})
    stream, version, _, reason = first_break(verify(ledger, only_new))
    assert (stream, version) == (str(checkpoint_stream(unique_name)), 1)
    assert reason.startswith("checkpoint refused: signed by key")


def test_a_checkpoint_of_another_ledger_or_with_other_fields_is_refused(
        sqlite_url: str, unique_name: str, tmp_path: Path):
    # Two shards share one key; shard B's checkpoint is no anchor for shard A.
    shard_b, settings_b = signed_story(sqlite_url, unique_name + "b")
    other = latest(shard_b)
    assert other is not None
    kept = tmp_path / "other.json"
    kept.write_bytes(orjson.dumps(other.public()))
    with pytest.raises(BadCheckpoint, match=f"for ledger '{unique_name}b', not '{unique_name}'"):
        from_file(kept, unique_name, None)
    # A body with a field beyond the signed ones, even signed, is not a checkpoint.
    body = other.body | {"ledger": unique_name, "note": "trust me"}
    extra = {"checkpoint": body, "signature": Signer.from_settings(settings_b).sign(body)}
    kept.write_bytes(orjson.dumps(extra))
    with pytest.raises(BadCheckpoint, match="fields must be exactly ledger, position"):
        from_file(kept, unique_name, None)


def test_the_checkpointer_refuses_to_sign_what_does_not_hold(database_url: str,
                                                            unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    penalty(ledger, CODES[0], 9)  # version 5, position 9
    tamper = Store(database_url, unique_name)
    # The fine of a signed penalty lowered, and every later hash of its stream recomputed:
    # each event holds on its own, but version 4 is no longer what the checkpoint signed.
    tamper.rewrite_and_rehash(FIRST, 3, lambda d: d.update(fine="50.00"))
    with pytest.raises(UnsafeToSign, match=r"position 9, stream .* version 5: version 4 "
                                           r"\(position 5\) differs from what the checkpoint"):
        checkpointer(ledger, settings).record(force=True)
    # An unreadable row is named too, never a traceback of the decoder.
    tamper.corrupt(FIRST, 5)
    with pytest.raises(UnsafeToSign, match=r"position 9, .* cannot be read as an event"):
        checkpointer(ledger, settings).record(force=True)
    signed = latest(ledger)
    assert signed is not None and signed.covers == 7  # nothing was signed


@pytest.mark.kafka
def test_kafka_checkpoints_are_judged_as_the_stores_and_kafka_alone_is_folded(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str):
    from tests.integration.test_verify import all_envelopes, delete_topic, publish

    ledger, settings = signed_story(pg_url, unique_name)
    settings = settings.model_copy(update={"kafka_bootstrap": kafka_bootstrap,
                                           "kafka_topic": topic_name})
    try:
        # Kafka lost CODES[1]'s last event (position 7): folded against Kafka's own copy of
        # the checkpoint, Kafka alone names it.
        publish(kafka_bootstrap, topic_name,
                [e for e in all_envelopes(ledger) if e["position"] != 7])
        report = jobs.run(ledger, settings, jobs.new_report(settings, "kafka"), upto=8)
        assert report.checkpoint is not None and report.checkpoint["source"] == "kafka"
        assert any(b.where == "kafka" and b.position == 7 and b.reason.startswith(
            "missing on Kafka or different from what the checkpoint of position 7")
            for b in report.breaks)
        # A checkpoint signed by an intruder's key is a break on Kafka as in the store.
        intruder = settings.model_copy(update={"signing_key": SecretStr("11" * 32)})
        checkpointer(ledger, intruder).record(force=True)
        publish(kafka_bootstrap, topic_name, all_envelopes(ledger)[-1:])
        report = jobs.run(ledger, settings, jobs.new_report(settings, "both"), upto=9)
        refused = {b.where for b in report.breaks if b.reason.startswith(
            "checkpoint refused: signed by key")}
        assert refused == {"store", "kafka"}
    finally:
        delete_topic(kafka_bootstrap, topic_name)


def test_the_service_reports_a_refusal_in_its_status(sqlite_url: str, unique_name: str):
    import threading

    from ledger.checkpoints import CheckpointService

    ledger, settings = signed_story(sqlite_url, unique_name)
    penalty(ledger, CODES[0], 9)
    Store(sqlite_url, unique_name).corrupt(FIRST, 5)
    service, stop = CheckpointService(checkpointer(ledger, settings), 0.05), threading.Event()
    worker = threading.Thread(target=service.run, args=(stop,))
    worker.start()
    try:
        for _ in range(100):
            if not service.status()["ok"]:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join()
    status = service.status()
    assert status["ok"] is False and status["last"]["refused_at"] == 9
    assert "position 9" in status["last"]["error"]
