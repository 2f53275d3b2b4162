"""Proof that nobody rewrote history: every stream's hash chain, in the store and on Kafka,
and the whole store against the latest signed checkpoint.

The store is read raw (replay.rows), each row turned into its public envelope and its hash
recomputed, so a byte changed in the database by plain SQL shows up as a broken link. The Kafka
copy is checked record by record and matched against the store both ways. Deletions that leave
every chain whole, and rewrites with every later hash recomputed, are the checkpoints' part
(replay.checkpoint_check).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from ledger.domain.checkpoint import Checkpoint, checkpoint_stream
from ledger.domain.envelope import broken_link, envelope_hash
from ledger.store.notifications import UnreadableEvent, read_stored
from replay import checkpoint_check, kafka_index
from replay.checkpoint_check import GAP, Promise
from replay.kafka_index import KafkaIndex
from replay.report import Break, NoProgress, Progress, Report
from replay.rows import Row, all_rows, count_rows


@dataclass(frozen=True)
class KafkaTarget:
    """Which topic holds the copy, and up to which position every event must be on it."""

    bootstrap: str
    topic: str
    upto: int | None = None  # None: the highest position found on the topic


@dataclass(frozen=True)
class Anchor:
    """What history is checked against: the ledger's checkpoints signed by one of the
    `trusted` public keys, optionally one an auditor kept, and the checkpointer's promise of
    one every `every` events and `interval_s` seconds."""

    ledger_name: str
    trusted: tuple[str, ...]
    kept: Checkpoint | None = None
    every: int = 1000
    interval_s: float = 300.0


def stored_envelopes(rows: list[Row], report: Report) -> list[dict[str, Any]] | None:
    """A stream's envelopes, or None (and a break) where a row is not even readable."""
    envelopes = []
    for row in rows:
        try:
            envelopes.append(read_stored(row.topic, row.stream, row.version, row.state,
                                         row.position))
        except UnreadableEvent as e:
            report.add(Break("store", row.stream, row.version, str(e), None, row.position))
            return None
    return envelopes


def streams(recorder: Any, progress: Progress) -> Iterator[list[Row]]:
    """The store's rows grouped by stream, each group in version order."""
    progress.start("store", count_rows(recorder))
    pending: list[Row] = []
    for batch in all_rows(recorder):
        progress.advance("store", len(batch))
        for stream, group in groupby(batch, key=lambda r: r.stream):
            rows = list(group)
            if pending and pending[0].stream != stream:
                yield pending
                pending = []
            pending.extend(rows)
    if pending:
        yield pending


def check_stream(rows: list[Row], report: Report, chain: bool) -> list[dict[str, Any]] | None:
    envelopes = stored_envelopes(rows, report)
    if envelopes is None or not chain:
        return envelopes
    broken = broken_link(envelopes)
    if broken:
        version, reason = broken
        # The event at the break itself: after a gap, versions no longer match list indexes.
        env = next(e for e in envelopes if int(e["version"]) == version)
        if reason.startswith("expected version"):  # broken_link's words for a gap
            index = envelopes.index(env)
            before = int(envelopes[index - 1]["version"]) if index else 0
            reason = (f"{GAP}version {before + 1} is missing (deleted): the stream goes from "
                      f"version {before} to {version} here")
        report.add(Break("store", env["stream"], version, reason, env["subject"],
                         env.get("position")))
    return envelopes


def match_kafka(envelopes: list[dict[str, Any]], index: KafkaIndex, upto: int,
                report: Report) -> None:
    """Each stored event is on Kafka with the same hash, unless it is beyond the cut-off."""
    for env in envelopes:
        seen = index.pop(env["stream"], env["version"])
        if env["position"] > upto:
            report.pending += 1
            continue
        if seen is None:
            reason = "recorded in the store but missing on Kafka"
        elif seen.hash != env["hash"] or seen.hash != envelope_hash(env):
            reason = "the stored event differs from its Kafka record"
        else:
            continue
        report.add(Break("kafka", env["stream"], env["version"], reason, env["subject"],
                         env["position"]))


def report_extra(index: KafkaIndex, report: Report) -> None:
    """Whatever remains on Kafka was never recorded in the store."""
    for stream, versions in index.streams.items():
        for version, seen in sorted(versions.items()):
            report.add(Break("kafka", stream, version, "on Kafka but not in the store",
                             seen.subject, seen.position))


def verify(recorder: Any, *, store: bool = True, kafka: KafkaTarget | None = None,
           progress: Progress | None = None, report: Report | None = None,
           anchor: Anchor | None = None) -> Report:
    """Check the store's chains and/or the Kafka copy, and with an anchor the store against
    its latest signed checkpoint; the report names every break found."""
    progress = progress or NoProgress()
    source = "both" if store and kafka else "kafka" if kafka else "store"
    report = report or Report(source=source)
    index, upto = None, 0
    if kafka is not None:
        report.kafka_topic = kafka.topic
        index = kafka_index.load(kafka.bootstrap, kafka.topic, report, progress)
        upto = kafka.upto if kafka.upto is not None else index.max_position
        report.checked_upto = upto
        kafka_index.check_chains(index, report)
    for rows in streams(recorder, progress):
        report.streams += 1
        report.events += len(rows)
        envelopes = check_stream(rows, report, chain=store)
        if index is not None and envelopes is not None:
            match_kafka(envelopes, index, upto, report)
    if index is not None:
        report_extra(index, report)
    if anchor is not None:
        _check_checkpoints(recorder, anchor, store, index, report, progress)
    return report.finish()


def _check_checkpoints(recorder: Any, anchor: Anchor, store: bool, index: KafkaIndex | None,
                       report: Report, progress: Progress) -> None:
    """The store (or, with `--source kafka`, the Kafka copy) against every believed checkpoint
    of this ledger: the store's own, Kafka's and the one the auditor kept."""
    found = checkpoint_check.stored_checkpoints(recorder, anchor.ledger_name, anchor.trusted,
                                                report) if store else []
    if index is not None:
        found += kafka_index.checkpoints(index, anchor.ledger_name, anchor.trusted, report)
    found += [anchor.kept] if anchor.kept else []  # last: the report names it when it agrees
    if not store:
        if index is not None:
            kafka_index.check_against(index, found, report)
        return
    promise = Promise(str(checkpoint_stream(anchor.ledger_name)), anchor.every,
                      anchor.interval_s, datetime.now(UTC))
    checkpoint_check.check(recorder, found, report, progress, promise)
