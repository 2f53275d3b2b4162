"""A subject's events up to a record time, from the store or from Kafka, and its state then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile
from typing import Any

import orjson

from ledger.domain.envelope import broken_link
from ledger.domain.errors import NotFound
from ledger.domain.subject import subject_stream
from ledger.privacy import redact
from ledger.store.notifications import envelope_from_stored
from replay.fold import fold
from replay.kafka_source import read_topic
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
                "events": self.events, "state": self.state()}


def store_envelopes(recorder: Any, code: str) -> list[dict[str, Any]]:
    """Every event of the subject's stream, read raw from the store, with positions."""
    return [envelope_from_stored(r.topic, r.stream, r.version, r.state, r.position)
            for r in stream_rows(recorder, subject_stream(code))]


def kafka_envelopes(bootstrap: str, topic: str, code: str) -> list[dict[str, Any]]:
    """Every event of the subject's stream on its Kafka partition, duplicates dropped, in
    version order. Other streams share its key (a repair case, a joint case, the same person's
    civil servant file): their versions are their own, so the stream decides."""
    by_version: dict[int, dict[str, Any]] = {}
    stream = str(subject_stream(code))
    for record in read_topic(bootstrap, topic, key=code):
        env = orjson.loads(record.value)
        if env.get("subject") == code and env.get("stream") == stream:
            by_version.setdefault(int(env["version"]), env)
    return [by_version[v] for v in sorted(by_version)]


def upto(envelopes: list[dict[str, Any]], as_of: datetime | None) -> list[dict[str, Any]]:
    """The events recorded at or before `as_of`: a prefix of the stream, so its chain holds."""
    return list(takewhile(lambda e: recorded_by(e, as_of), envelopes))


def history(code: str, as_of: datetime | None, *, recorder: Any = None,
            kafka: tuple[str, str] | None = None) -> History:
    """From the store (recorder) or from Kafka ((bootstrap, topic)); NotFound if no events."""
    if kafka is not None:
        everything, source = kafka_envelopes(kafka[0], kafka[1], code), "kafka"
    else:
        everything, source = store_envelopes(recorder, code), "store"
    if not everything:
        raise NotFound(f"no subject with code {redact(code)!r}", field="code")
    return History(code, as_of, source, upto(everything, as_of), len(everything))
