"""The Kafka copy of history, indexed by (stream, version), each record's own hash rechecked."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.checkpoint import (
    ZERO_RUNNING,
    Checkpoint,
    Recorded,
    checkpoint_stream,
    extend_running,
    is_checkpoint,
)
from ledger.domain.envelope import GENESIS_HASH, envelope_hash
from projections.feed import Record
from projections.kafka_feed import KafkaFeed
from replay.anchor import believe
from replay.report import Break, Progress, Report


@dataclass(frozen=True)
class Seen:
    """What Kafka holds for one event: its hashes, subject and global position."""

    hash: str
    prev_hash: str
    subject: str
    position: int | None


@dataclass
class KafkaIndex:
    streams: dict[str, dict[int, Seen]] = field(default_factory=dict)
    max_position: int = 0
    checkpoints: list[dict[str, Any]] = field(default_factory=list)  # their whole envelopes
    hashes: dict[int, str] = field(default_factory=dict)  # position -> hash, for the fold

    def pop(self, stream: str, version: int) -> Seen | None:
        versions = self.streams.get(stream)
        return versions.pop(version, None) if versions else None


def _index_record(index: KafkaIndex, record: Record, report: Report) -> None:
    try:
        env = record.envelope
        if not env:
            raise ValueError("the value is not a JSON object")
        stream, version = str(env["stream"]), int(env["version"])
        computed = envelope_hash(env)
    except (ValueError, KeyError, TypeError) as e:
        report.add(Break("kafka", "?", 0, f"record at partition {record.partition} offset "
                                          f"{record.offset} is not a valid envelope ({e})"))
        return
    position = env.get("position")
    seen = Seen(str(env["hash"]), str(env["prev_hash"]), str(env["subject"]), position)
    if computed != seen.hash:
        report.add(Break("kafka", stream, version, "hash does not match the record's content "
                         f"(partition {record.partition}, offset {record.offset})",
                         seen.subject, position))
    versions = index.streams.setdefault(stream, {})
    earlier = versions.get(version)
    if earlier is not None and earlier.hash != seen.hash:
        report.add(Break("kafka", stream, version, "two records with different hashes for one "
                         "event", seen.subject, position))
    versions[version] = seen  # duplicates from at-least-once delivery are expected and harmless
    if is_checkpoint(env) and computed == seen.hash:
        index.checkpoints.append(env)  # an anchor even when the store lost its own copy
    if isinstance(position, int):
        index.max_position = max(index.max_position, position)
        index.hashes[position] = seen.hash


def load(bootstrap: str, topic: str, report: Report, progress: Progress) -> KafkaIndex:
    """Read the whole topic, checking each record's hash; build the (stream, version) index."""
    feed = KafkaFeed(bootstrap, topic, wait_for_topic=0)
    try:
        progress.start("kafka", sum(feed.end_offsets().values()))
        index = KafkaIndex()
        for record in feed.history(on_batch=lambda n: progress.advance("kafka", n)):
            report.kafka_records += 1
            _index_record(index, record, report)
        return index
    finally:
        feed.close()


def check_chains(index: KafkaIndex, report: Report) -> None:
    """Each stream's chain as Kafka alone tells it: versions 1..n, each linked to the previous."""
    for stream, versions in index.streams.items():
        prev = GENESIS_HASH
        for expected, version in enumerate(sorted(versions), start=1):
            seen = versions[version]
            reason = None
            if version != expected:
                reason = f"version {expected} is missing on Kafka"
            elif seen.prev_hash != prev:
                reason = "prev_hash does not match the previous event's hash on Kafka"
            if reason:
                report.add(Break("kafka", stream, version, reason, seen.subject, seen.position))
                break
            prev = seen.hash


def checkpoints(index: KafkaIndex, ledger_name: str, trusted: Collection[str],
                report: Report) -> list[Checkpoint]:
    """This ledger's checkpoints on the topic that are believed; another ledger's (shards may
    share a topic) are not ours to judge, but one in our stream that fails is a break."""
    ours, found = str(checkpoint_stream(ledger_name)), []
    for env in index.checkpoints:
        if env.get("stream") != ours:
            continue
        position = env.get("position")
        checkpoint = believe(env.get("data"), "kafka", trusted, ledger_name, Recorded(
            ours, int(env["version"]), position if isinstance(position, int) else None,
            str(env["hash"])))
        if isinstance(checkpoint, str):
            report.add(Break("kafka", ours, int(env["version"]), f"checkpoint refused: "
                             f"{checkpoint}", str(env.get("subject")), position))
        else:
            found.append(checkpoint)
    return found


def check_against(index: KafkaIndex, found: list[Checkpoint], report: Report) -> None:
    """Kafka's copy folded by position against each checkpoint (`--source kafka`): the first
    that no longer matches bounds the loss or rewrite; its recorded heads name streams."""
    pending = sorted({(c.covers, c.running_hash): c for c in found}.values(),
                     key=lambda c: c.covers)
    if not pending:
        return
    report.checkpoint = pending[-1].summary()
    events, running, good, positions = 0, bytes.fromhex(ZERO_RUNNING), 0, sorted(index.hashes)
    for checkpoint in pending:
        for position in positions[events:]:
            if position > checkpoint.covers:
                break
            running, events = extend_running(running, index.hashes[position]), events + 1
        report.checkpoints_checked += 1
        if (events, running.hex()) == (checkpoint.events, checkpoint.running_hash):
            good = checkpoint.covers
            continue
        for position, stream, version, head_hash in checkpoint.heads:
            if index.hashes.get(position) != head_hash:
                report.add(Break("kafka", stream, version, "missing on Kafka or different from "
                                 f"what the checkpoint of position {checkpoint.covers} "
                                 "recorded", None, position))
        report.add(Break("kafka", "*", 0, f"Kafka's {events} events up to position "
                         f"{checkpoint.covers} do not match the checkpoint's "
                         f"{checkpoint.events} (running hash differs): an event between "
                         f"positions {good + 1} and {checkpoint.covers} is missing or "
                         "different on Kafka", None, good + 1))
        return
