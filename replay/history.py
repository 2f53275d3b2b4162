"""A subject's events up to a record time, from the store or from Kafka, and its state then."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import takewhile
from typing import Any
from uuid import UUID

from ledger.domain.credit_check import check_log_stream
from ledger.domain.envelope import broken_link
from ledger.domain.errors import NotFound
from ledger.domain.subject import subject_stream
from ledger.privacy import redact
from ledger.store.notifications import envelope_from_stored
from projections.kafka_feed import KafkaFeed
from replay.fold import fold
from replay.rows import stream_rows
from replay.when import recorded_by


@dataclass(frozen=True)
class History:
    """What the ledger knew about one subject at a record time."""

    code: str
    as_of: datetime | None
    source: str
    events: list[dict[str, Any]]
    known_versions: int  # how many events exist now (as_of hides the later ones)
    # The subject's check log (approval systems' credit checks, docs/adr/023): its own stream.
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chain_break(self) -> tuple[int, str] | None:
        return broken_link(self.events)

    def state(self) -> dict[str, Any]:
        return fold(self.events)

    def as_dict(self) -> dict[str, Any]:
        brk = self.chain_break
        return {"code": self.code, "as_of": self.as_of.isoformat() if self.as_of else None,
                "source": self.source, "known_versions": self.known_versions,
                "chain_ok": brk is None,
                "chain_break": {"version": brk[0], "reason": brk[1]} if brk else None,
                "events": self.events, "state": self.state(),
                "checks": {"stream": str(check_log_stream(self.code)),
                           "chain_ok": broken_link(self.checks) is None,
                           "events": self.checks}}


def store_envelopes(recorder: Any, code: str, stream: UUID | None = None
                    ) -> list[dict[str, Any]]:
    """Every event of the subject's stream (or another of its streams), read raw from the
    store, with positions."""
    return [envelope_from_stored(r.topic, r.stream, r.version, r.state, r.position)
            for r in stream_rows(recorder, stream or subject_stream(code))]


def kafka_envelopes(bootstrap: str, topic: str, code: str, *streams: UUID
                    ) -> list[list[dict[str, Any]]]:
    """The events of each stream (the subject's own by default) on the subject's Kafka
    partition, duplicates dropped, in version order: cases and check logs share its key."""
    wanted = [str(s) for s in streams or (subject_stream(code),)]
    found: dict[str, dict[int, dict[str, Any]]] = {s: {} for s in wanted}
    feed = KafkaFeed(bootstrap, topic, wait_for_topic=0)
    try:
        for record in feed.history(key=code):
            env = record.envelope
            if env.get("subject") == code and env.get("stream") in found:
                found[env["stream"]].setdefault(int(env["version"]), env)
    finally:
        feed.close()
    return [[by_version[v] for v in sorted(by_version)] for by_version in found.values()]


def upto(envelopes: list[dict[str, Any]], as_of: datetime | None) -> list[dict[str, Any]]:
    """The events recorded at or before `as_of`: a prefix of the stream, so its chain holds."""
    return list(takewhile(lambda e: recorded_by(e, as_of), envelopes))


def history(code: str, as_of: datetime | None, *, recorder: Any = None,
            kafka: tuple[str, str] | None = None) -> History:
    """From the store (recorder) or from Kafka ((bootstrap, topic)); NotFound if no events."""
    checks = check_log_stream(code)
    if kafka is not None:
        everything, checked = kafka_envelopes(kafka[0], kafka[1], code, subject_stream(code),
                                              checks)
        source = "kafka"
    else:
        everything, source = store_envelopes(recorder, code), "store"
        checked = store_envelopes(recorder, code, checks)
    if not everything:
        raise NotFound(f"no subject with code {redact(code)!r}", field="code")
    return History(code, as_of, source, upto(everything, as_of), len(everything),
                   upto(checked, as_of))
