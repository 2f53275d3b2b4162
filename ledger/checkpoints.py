"""Recording signed checkpoints of the ledger's head, at least every N events and M seconds.

Each checkpoint continues from the previous one (its position, count and running hash), so a
run reads only the events recorded since; a backlog (after a bulk import) is cut into
checkpoints of N events each, so that no checkpoint's `heads` grows past N entries.
Checkpoints are events of their own stream: they reach Kafka through the relay like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger.application import CreditLedger
from ledger.domain.checkpoint import (
    LEDGER_SUBJECT,
    SIGNER,
    ZERO_RUNNING,
    Checkpoint,
    CheckpointRecorded,
    Recorded,
    checkpoint_stream,
    extend_running,
)
from ledger.domain.envelope import GENESIS_HASH, link_problem
from ledger.runtime import Periodic, Runtime
from ledger.signing import Signer
from ledger.store.notifications import UnreadableEvent, read_stored
from ledger.store.recording import position_of

log = logging.getLogger("credit-ledger.checkpoints")
READ_BATCH = 5000


class UnsafeToSign(Exception):
    """An event the checkpointer was about to sign does not hold: it signs nothing."""

    def __init__(self, position: int, stream: str, version: int, reason: str) -> None:
        super().__init__(f"refusing to sign a checkpoint: position {position}, stream {stream} "
                         f"version {version}: {reason} (run credit-ledger replay verify)")
        self.position = position


class _Missing(Exception):
    """The stream's previous event is not what this one links to: gone or rewritten."""


def latest(ledger: CreditLedger) -> Checkpoint | None:
    """The ledger's most recent checkpoint, or None before the first."""
    stream = checkpoint_stream(ledger.name)
    found = list(ledger.events.get(stream, desc=True, limit=1))
    if not found:
        return None
    event = found[0]
    assert isinstance(event, CheckpointRecorded)
    version = event.originator_version
    return Checkpoint(event.data["checkpoint"], event.data["signature"], "store",
                      Recorded(str(stream), version, position_of(ledger.recorder, stream, version),
                               event.hash))


@dataclass
class _Interval:
    """The events since the last checkpoint, folded as they are read."""

    position: int
    events: int
    running: bytes
    previous_position: int
    count: int = 0
    heads: dict[str, list[Any]] = field(default_factory=dict)
    others: bool = False  # any event that is not itself a checkpoint
    signed_heads: dict[str, list[Any]] = field(default_factory=dict)  # the previous one's

    def add(self, position: int, stream: str, version: int, event_hash: str,
            own_stream: str) -> None:
        self.running = extend_running(self.running, event_hash)
        self.position, self.events, self.count = position, self.events + 1, self.count + 1
        self.heads.pop(stream, None)  # re-inserted last: heads stay in position order
        self.heads[stream] = [position, stream, version, event_hash]
        self.others = self.others or stream != own_stream


class Checkpointer:
    """Signs and records checkpoints for one ledger."""

    def __init__(self, ledger: CreditLedger, signer: Signer, *, every: int, interval_s: float,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.ledger, self.signer, self.every, self.interval_s = ledger, signer, every, interval_s
        self.now = now
        self.stream = checkpoint_stream(ledger.name)

    def record(self, *, force: bool = False) -> list[Checkpoint]:
        """Record the checkpoints that are due (every N events; the rest when M seconds have
        passed, or at once with `force`); none when nothing but checkpoints is new."""
        last = latest(self.ledger)
        head = self.ledger.head_position()
        interval = self._start(last)
        due = force or last is None or (
            (self.now() - datetime.fromisoformat(last.body["signed_at"])).total_seconds()
            >= self.interval_s)
        made: list[Checkpoint] = []
        own = str(self.stream)
        while interval.position < head:
            batch = self.ledger.recorder.select_notifications(interval.position + 1, READ_BATCH,
                                                              stop=head)
            if not batch:
                break
            for n in batch:
                interval.add(n.id, str(n.originator_id), n.originator_version,
                             self._checked_hash(n, interval), own)
                if interval.count >= self.every and interval.others:
                    last = self._save(interval, last)
                    if last is None:
                        return made  # another process recorded one first: its turn
                    made.append(last)
                    interval = self._start(last)
        if interval.count and (interval.others or force) and due:
            saved = self._save(interval, last)
            if saved is not None:
                made.append(saved)
        return made

    def _start(self, last: Checkpoint | None) -> _Interval:
        if last is None:
            return _Interval(0, 0, bytes.fromhex(ZERO_RUNNING), 0)
        return _Interval(last.covers, last.events, bytes.fromhex(last.running_hash),
                         last.covers, signed_heads={h[1]: h for h in last.heads})

    def _checked_hash(self, n: Any, interval: _Interval) -> str:
        """The event's hash, once it holds as verify checks it (readable, its own hash, linked
        to the stream's previous event); otherwise UnsafeToSign naming its position."""
        stream, version = str(n.originator_id), n.originator_version
        try:
            env = read_stored(n.topic, stream, version, n.state, n.id)
            before = interval.heads.get(stream)
            prev = before[3] if before else self._previous_hash(stream, version, interval)
        except (UnreadableEvent, _Missing) as e:
            raise UnsafeToSign(n.id, stream, version, str(e)) from None
        problem = link_problem(env, prev)
        if problem:
            raise UnsafeToSign(n.id, stream, version, problem)
        return str(env["hash"])

    def _previous_hash(self, stream: str, version: int, interval: _Interval) -> str:
        """The hash of the stream's event before this one, read from the store, and equal to
        what the previous checkpoint signed for it if it signed that very version."""
        if version == 1:
            return GENESIS_HASH
        found = self.ledger.recorder.select_events(UUID(stream), gt=version - 2, lte=version - 1)
        if not found:
            raise _Missing(f"version {version - 1} before it is missing")
        prev = read_stored(found[0].topic, stream, version - 1, found[0].state, None)["hash"]
        signed = interval.signed_heads.get(stream)
        if signed is not None and signed[2] == version - 1 and signed[3] != prev:
            raise _Missing(f"version {version - 1} (position {signed[0]}) differs from what the "
                           f"checkpoint of position {interval.previous_position} signed: "
                           "rewritten and rehashed")
        return str(prev)

    def _save(self, interval: _Interval, last: Checkpoint | None) -> Checkpoint | None:
        signed_at = self.now().isoformat()
        body: dict[str, Any] = {"ledger": self.ledger.name, "position": interval.position,
                "events": interval.events, "running_hash": interval.running.hex(),
                "previous_position": interval.previous_position,
                "heads": list(interval.heads.values()), "public_key": self.signer.public_key,
                "signed_at": signed_at}
        signature = self.signer.sign(body)
        version = last.recorded.version + 1 if last and last.recorded else 1
        event = CheckpointRecorded.sealed(
            self.stream, str(self.stream), version, subject=LEDGER_SUBJECT,
            authority=LEDGER_SUBJECT, actor=SIGNER, occurred_at=signed_at[:10],
            data={"checkpoint": body, "signature": signature},
            prev_hash=last.recorded.hash if last and last.recorded else "")
        try:
            recordings = self.ledger.save(event)
        except IntegrityError:
            return None
        return Checkpoint(body, signature, "store", Recorded(
            str(self.stream), version, recordings[0].notification.id, event.hash))


class CheckpointService(Periodic):
    """Records due checkpoints in `serve`: polls often, signs at least every N events / M s."""

    name = "checkpoints"

    def __init__(self, checkpointer: Checkpointer, poll_s: float) -> None:
        super().__init__(poll_s)
        self.checkpointer = checkpointer

    def step(self) -> dict[str, Any] | None:
        try:
            made = self.checkpointer.record()
        except UnsafeToSign as e:  # tampering, not a fault: said once, kept in the status
            if self.last.get("error") != str(e):
                log.error("%s", e)
            return {"ok": False, "error": str(e), "refused_at": e.position}
        return {"ok": True, "position": made[-1].covers, "recorded": len(made)} if made else None


def checkpointer_for(runtime: Runtime) -> Checkpointer:
    s = runtime.settings
    return Checkpointer(runtime.ledger, Signer.from_settings(s),
                        every=s.checkpoint_every_events, interval_s=s.checkpoint_interval_s)


def service_for(runtime: Runtime) -> CheckpointService | None:
    if not runtime.wanted.get("checkpoint", False):
        return None
    # Polling at a tenth of the interval (at most every 5 s) keeps "every N events" close.
    poll = min(5.0, runtime.settings.checkpoint_interval_s / 10)
    return CheckpointService(checkpointer_for(runtime), poll)
