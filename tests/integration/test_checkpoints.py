"""Signed checkpoints: what plain SQL on the store can no longer hide from `replay verify`.

Every story records the same short history (tests.audit_story), then the ledger signs a
checkpoint, then someone with database access tampers with the store's tables.
CODES[0]'s stream holds positions 1, 3, 4, 5 (versions 1-4); CODES[1]'s positions 2, 6, 7;
the checkpoint covers positions 1-7 and is itself the event at position 8.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger.build import build_ledger
from ledger.checkpoints import Checkpointer, latest
from ledger.domain.checkpoint import running_hash
from ledger.domain.subject import subject_stream
from ledger.settings import Settings
from ledger.signing import Signer
from replay import jobs
from replay.anchor import BadCheckpoint, from_file
from replay.report import Report
from tests.audit_story import CODES, penalty, story
from tests.tamper import Store

FIRST, SECOND = subject_stream(CODES[0]), subject_stream(CODES[1])


def signed_story(database_url: str, app_name: str) -> tuple[Any, Settings]:
    settings = Settings(database_url=database_url, app_name=app_name, env="test")
    ledger = build_ledger(settings)
    story(ledger)
    Checkpointer(ledger, Signer.from_settings(settings), every=1000,
                 interval_s=300).record(force=True)
    return ledger, settings


def verify(ledger: Any, settings: Settings, **kw: Any) -> Report:
    return jobs.run(ledger, settings, jobs.new_report(settings, "store"), **kw)


def first_break(report: Report) -> tuple[str, int, int | None, str]:
    assert not report.ok
    first = report.first_break
    assert first is not None
    return first.stream, first.version, first.position, first.reason


def test_the_checkpoint_signs_the_running_hash_of_every_event(database_url: str,
                                                             unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    found = latest(ledger)
    assert found is not None
    hashes = [orjson.loads(n.state)["hash"]
              for n in ledger.recorder.select_notifications(1, 100, stop=7)]
    assert found.body["position"] == found.body["events"] == 7
    assert found.body["running_hash"] == running_hash(hashes)
    assert [h[1:3] for h in found.body["heads"]] == [[str(FIRST), 4], [str(SECOND), 3]]
    assert found.recorded_at == 8
    # An untouched ledger verifies, against that checkpoint.
    report = verify(ledger, settings)
    assert report.ok, report.breaks
    assert report.checkpoint is not None and report.checkpoint["position"] == 7
    assert report.after_checkpoint == 1  # the checkpoint itself


def test_events_after_the_checkpoint_are_checked_for_continuity(database_url: str,
                                                                unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    penalty(ledger, CODES[0], 9)
    penalty(ledger, CODES[0], 10)
    assert verify(ledger, settings).after_checkpoint == 3

    # One of them deleted: the gap in its stream is named, after the latest checkpoint.
    Store(database_url, unique_name).delete(FIRST, 5)
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(FIRST), 6, 10)
    assert reason.endswith("(after the latest checkpoint)")


def test_a_deleted_middle_event_is_named_at_its_position(database_url: str, unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    Store(database_url, unique_name).delete(FIRST, 3)
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(FIRST), 3, 4)
    assert "position 4 was deleted" in reason


def test_a_streams_deleted_last_event_is_named(database_url: str, unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    Store(database_url, unique_name).delete(FIRST, 4)
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(FIRST), 4, 5)
    assert "missing from the store" in reason


def test_a_deleted_stream_is_named(database_url: str, unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    Store(database_url, unique_name).delete_stream(SECOND)
    report = verify(ledger, settings)
    stream, version, position, reason = first_break(report)
    assert (stream, version, position) == (str(SECOND), 1, 2)
    assert "position 2 was deleted" in reason
    assert any("whole stream is missing" in b.reason for b in report.breaks)


def test_a_truncated_tail_is_named_against_a_kept_checkpoint(database_url: str,
                                                             unique_name: str, tmp_path: Path):
    ledger, settings = signed_story(database_url, unique_name)
    kept = tmp_path / "checkpoint.json"
    current = latest(ledger)
    assert current is not None
    kept.write_bytes(orjson.dumps(current.public()))
    # Everything after position 5 goes, the checkpoint event with it: the store alone can no
    # longer tell, but the auditor kept the checkpoint.
    Store(database_url, unique_name).truncate_after(5)
    assert verify(ledger, settings).ok
    stream, version, position, reason = first_break(verify(ledger, settings,
                                                           kept=from_file(kept, unique_name, None)))
    assert (stream, version, position) == (str(SECOND), 2, 6)
    assert "position 6 was deleted" in reason


def test_a_rewritten_and_rehashed_history_is_named(database_url: str, unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    # The first penalty's fine lowered, and every later hash of that stream recomputed: each
    # event still hashes right and links to the one before.
    Store(database_url, unique_name).rewrite_and_rehash(
        FIRST, 3, lambda d: d.update(fine="50.00"))
    report = verify(ledger, settings)
    assert [b for b in report.breaks if "hash" in b.reason and "differs" not in b.reason] == []
    stream, version, position, reason = first_break(report)
    assert (stream, version, position) == (str(FIRST), 4, 5)
    assert "differs from what the checkpoint of position 7 recorded" in reason


def test_an_undecodable_row_is_a_break_not_a_traceback(database_url: str, unique_name: str):
    ledger, settings = signed_story(database_url, unique_name)
    Store(database_url, unique_name).corrupt(FIRST, 2)
    stream, version, position, reason = first_break(verify(ledger, settings))
    assert (stream, version, position) == (str(FIRST), 2, 3)
    assert "cannot be read as an event" in reason


def test_a_forged_checkpoint_is_refused(database_url: str, unique_name: str, tmp_path: Path):
    ledger, settings = signed_story(database_url, unique_name)
    current = latest(ledger)
    assert current is not None
    # A kept checkpoint whose numbers were edited no longer matches its signature.
    forged = current.public()
    forged["checkpoint"]["events"] = 6
    path = tmp_path / "forged.json"
    path.write_bytes(orjson.dumps(forged))
    with pytest.raises(BadCheckpoint, match="signature does not verify"):
        from_file(path, unique_name, None)
    # One signed by another key is refused in the store, where it claims to be the ledger's.
    intruder = Settings(database_url=database_url, app_name=unique_name, env="test",
                        signing_key="11" * 32)
    Checkpointer(ledger, Signer.from_settings(intruder), every=1000,
                 interval_s=300).record(force=True)
    stream, version, _, reason = first_break(verify(ledger, settings))
    assert current.recorded is not None
    assert (stream, version) == (current.recorded.stream, 2)
    assert "checkpoint refused: signed by key" in reason


@pytest.mark.kafka
def test_the_kafka_copy_of_a_checkpoint_anchors_a_truncated_store(
        pg_url: str, kafka_bootstrap: str, unique_name: str, topic_name: str):
    from tests.integration.test_verify import all_envelopes, delete_topic, publish

    ledger, settings = signed_story(pg_url, unique_name)
    settings = settings.model_copy(update={"kafka_bootstrap": kafka_bootstrap,
                                           "kafka_topic": topic_name})
    try:
        publish(kafka_bootstrap, topic_name, all_envelopes(ledger))  # as the relay does
        Store(pg_url, unique_name).truncate_after(5)
        report = jobs.run(ledger, settings, jobs.new_report(settings, "both"), upto=8)
        assert report.checkpoint is not None and report.checkpoint["source"] == "kafka"
        stream, version, position, _ = first_break(report)
        assert (stream, version, position) == (str(SECOND), 2, 6)
        # Kafka holds what the store lost; the checkpoint Kafka kept says so too.
        assert any(b.where == "store" and "missing from the store" in b.reason
                   for b in report.breaks)
    finally:
        delete_topic(kafka_bootstrap, topic_name)


def test_the_checkpoint_event_follows_the_published_schema(sqlite_url: str, unique_name: str):
    from ledger.store.notifications import envelope_from_notification
    from tests.relay_story import schema_validator

    ledger, _ = signed_story(sqlite_url, unique_name)
    envelope = envelope_from_notification(ledger.recorder.select_notifications(8, 1)[0])
    assert (envelope["type"], envelope["subject"]) == ("CheckpointRecorded", "ledger")
    schema_validator().validate(envelope)
    # The schema is no formality: a checkpoint without its signature does not pass it.
    with pytest.raises(Exception, match="signature"):
        schema_validator().validate(envelope | {"data": {"checkpoint": envelope["data"][
            "checkpoint"]}})
