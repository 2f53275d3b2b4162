"""A credit report's content, cut by the ledger's own as-of replay, and its verification.

A report is the subject's public record after every event up to a global position, read on a
day (publicity windows, list expiry and the score depend on the day). Cutting it and checking
a code later are the same function: replay the subject's events up to the position into the
projection views' own code (replay.asof) and read the fields below. Only these fields are
covered by the digest, so that fields the API gains later do not void codes already printed;
changing them needs a new code format (ledger.domain.report_code, docs/adr/025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger import checkpoints
from ledger.application import CreditLedger
from ledger.domain.bounds import FIRST_DAY
from ledger.domain.checkpoint import Checkpoint, CheckpointRecorded, Recorded, checkpoint_stream
from ledger.domain.errors import NotFound
from ledger.domain.report_code import ReportCode, digest_of, make
from ledger.store.recording import position_of
from replay.anchor import believe
from replay.asof import AsOf

SUBJECT_FIELDS = ("code", "name", "kind", "masked", "registered_on", "authority")
LIST_FIELDS = ("listing_id", "list", "domain", "authority", "basis", "listed_on", "expires_on",
               "removal_conditions")
PERMIT_FIELDS = ("authority", "decision_no", "category", "decided_on", "status", "revoked_on")
PENALTY_FIELDS = ("authority", "decision_no", "severity", "domain", "category", "basis",
                  "decided_on", "publicity_min_until", "publicity_max_until")
COMMITMENT_FIELDS = ("commitment_id", "authority", "type", "made_on", "due_on", "content",
                     "status", "settled_on")
SCORE_FIELDS = ("family", "scale", "model_version", "score", "grade", "poor")
LINE_FIELDS = ("points", "rule", "on", "record")


def _pick(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: row.get(f) for f in fields}


def content_of(state: dict[str, Any]) -> dict[str, Any]:
    """The report's content from an as-of state (AsOf.at_position): what the digest covers."""
    profile, score = state["profile"], state["score"]
    known = state["known"]
    return {
        "subject": _pick(profile, SUBJECT_FIELDS),
        "lists": [_pick(r, LIST_FIELDS) for r in profile["lists"]],
        "permits": [_pick(r, PERMIT_FIELDS) for r in profile["permits"]],
        "permits_total": profile["permits_total"],
        "penalties": [_pick(r, PENALTY_FIELDS) for r in profile["penalties"]],
        "penalties_total": profile["penalties_total"],
        "commitments": [_pick(r, COMMITMENT_FIELDS) for r in profile["commitments"]],
        "commitments_total": profile["commitments_total"],
        "score": None if score is None else _pick(score, SCORE_FIELDS) | {
            "explanation": [_pick(line, LINE_FIELDS) for line in score["explanation"]]},
        # The subject's own chain at the cut: an auditor finds it with `replay history`.
        "record": {"events": known["events"], "head_hash": known["head_hash"]},
    }


@dataclass(frozen=True)
class Report:
    """One cut: its code and content (the PDF and the verify page both render this)."""

    code: ReportCode
    content: dict[str, Any]


def cut(asof: AsOf, subject: str, position: int, day: date) -> Report:
    """The report of `subject` at `position` on `day`; NotFound if the ledger knew no such
    subject then."""
    content = content_of(asof.at_position(subject, position, day))
    return Report(make(subject, position, day, content), content)


class NotConfirmed(Exception):
    """A well-formed code that the ledger does not confirm; the message says why (`words`:
    in Chinese, for the verify page)."""

    def __init__(self, message: str, words: str) -> None:
        super().__init__(message)
        self.words = words


def confirm(asof: AsOf, code: ReportCode, *, head: int, today: date) -> Report:
    """The report the code stands for, cut again; NotConfirmed unless the digests agree.

    Nothing of the record is shown for a code that does not match: the digest is what makes
    the code a report's, and a past day's record is not public without it.
    """
    if code.position > head:
        raise NotConfirmed(f"the ledger has not reached position {code.position} "
                           f"(its head is {head})", "账本尚未记录到该位置")
    if not FIRST_DAY <= code.day <= today:
        raise NotConfirmed(f"the day {code.day.isoformat()} is not a day a report was cut on",
                           "该日期不可能生成过报告")
    try:
        again = cut(asof, code.subject, code.position, code.day)
    except NotFound:
        raise NotConfirmed("the ledger knew no such subject at that position",
                           "账本在该位置没有这个主体") from None
    if digest_of(code.subject, code.position, code.day, again.content) != code.digest:
        raise NotConfirmed("what the ledger says of this subject at this position and day is "
                           "not what the code describes: the code was altered, or made up",
                           "账本在该位置和日期的记录与验证码所述不一致：验证码被改动或伪造")
    return again


def covering(ledger: CreditLedger, position: int, trusted: tuple[str, ...],
             ) -> Checkpoint | str | None:
    """The first signed checkpoint whose position covers `position` (a binary search over the
    checkpoint stream: their positions grow); why it is not believed if it is not; None when
    no checkpoint reaches that far yet."""
    last = checkpoints.latest(ledger)
    if last is None or last.covers < position or last.recorded is None:
        return None
    stream = checkpoint_stream(ledger.name)
    lo, hi = 1, last.recorded.version
    while lo < hi:
        mid = (lo + hi) // 2
        if _checkpoint(ledger, stream, mid).covers >= position:
            hi = mid
        else:
            lo = mid + 1
    found = last if lo == last.recorded.version else _checkpoint(ledger, stream, lo)
    return believe({"checkpoint": found.body, "signature": found.signature}, "store", trusted,
                   ledger.name, found.recorded)


def _checkpoint(ledger: CreditLedger, stream: Any, version: int) -> Checkpoint:
    event = next(iter(ledger.events.get(stream, gt=version - 1, lte=version)))
    assert isinstance(event, CheckpointRecorded)
    return Checkpoint(event.data["checkpoint"], event.data["signature"], "store",
                      Recorded(str(stream), version, position_of(ledger.recorder, stream,
                                                                 version), event.hash))
