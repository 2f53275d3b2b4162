"""Applying a validated row to its Subject through the same aggregate methods the API calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from ledger import integrity_cases as integrity
from ledger import subject_cases as cases
from ledger.core import By, Rules
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import AlreadyExists, Conflict, NotFound
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject
from ledger.domain.subject_events import key
from ledger.importing.rows import Row, RowError
from ledger.subject_cases import new_subject


@dataclass(frozen=True)
class Context:
    """What every row is decided against: today's date, the calendar, who records, and the
    listing rules (the ledger's policy: an import meets the API's rules)."""

    today: date
    calendar: WorkingCalendar
    actor: str
    policy: RepairPolicy = field(default_factory=RepairPolicy)

    @cached_property  # one per import run
    def rules(self) -> Rules:
        return Rules(self.today, self.calendar, self.policy)

    @cached_property
    def recorders(self) -> dict[str, By]:
        return {}

    def by(self, row: Row) -> By:
        """Who records the row: its authority, under the run's actor (one By per authority)."""
        found = self.recorders.get(row.authority)
        if found is None:
            found = self.recorders[row.authority] = By(row.authority, self.actor)
        return found


def apply_row(row: Row, subject: Subject | None, ctx: Context) -> Subject:
    """Decide the row on its subject (registering it if the row says how); raise on a rule."""
    if subject is None:
        subject = _register(row, ctx)
        if row.record == "subject":
            return subject
    elif row.record == "subject":
        reg = row.register  # a subject record's: other details than those stored conflict
        assert reg is not None
        if not subject.registration_matches(reg.name, reg.kind, reg.profession):
            raise AlreadyExists(f"subject {row.subject} is already registered as "
                                f"{subject.kind} {subject.name!r}", field="code")
        return subject
    APPLY[row.record](row, subject, ctx)
    return subject


def _register(row: Row, ctx: Context) -> Subject:
    reg = row.register
    if row.code_error is not None:
        # Only a subject record with allow_invalid_code registers a code failing its checks.
        raise RowError([("subject", str(row.code_error))])
    if reg is None:
        raise NotFound(f"no subject with code {row.subject}: register it first (a subject "
                       "record, or party_name and party_kind on the row)", field="subject")
    return new_subject(reg, ctx.by(row), ctx.rules)


def _principal(row: Row, s: Subject, ctx: Context) -> None:
    cases.link_principal(s, row.principal or "", _body(row), ctx.by(row), ctx.rules)


def _permit(row: Row, s: Subject, ctx: Context) -> None:
    cases.grant_permit(s, _first_publication(row, s.permits), ctx.by(row), ctx.rules)


def _penalty(row: Row, s: Subject, ctx: Context) -> None:
    cases.impose_penalty(s, _first_publication(row, s.penalties), ctx.by(row), ctx.rules)


def _first_publication(row: Row, recorded: dict[str, Any]) -> Any:
    """A template row published on the import day (no 公示日期) was published the first time it
    was imported: run again on a later day, it is the same record, not a conflicting one."""
    body = _body(row)
    if "published_on" not in getattr(body, "derived", {}):
        return body
    existing = recorded.get(key(row.authority, body.decision_no))
    if existing is None:
        return body
    first = date.fromisoformat(existing["data"]["published_on"])
    return body.model_copy(update={"published_on": first})


def _listing(row: Row, s: Subject, ctx: Context) -> None:
    cases.put_on_list(s, _body(row), ctx.by(row), ctx.rules)


def _commitment(row: Row, s: Subject, ctx: Context) -> None:
    cases.make_commitment(s, _body(row), ctx.by(row), ctx.rules)


def _body(row: Row) -> Any:
    return row.body  # the command its record type validated (ledger.importing.rows)


def _outcome(row: Row, s: Subject, ctx: Context) -> None:
    cases.settle_commitment(s, _commitment_id(row, s), row.outcome["kept"], _body(row),
                            ctx.by(row), ctx.rules, rerun=True)


def _commitment_id(row: Row, s: Subject) -> str:
    if "commitment_id" in row.outcome:
        cid = str(row.outcome["commitment_id"])
        if cid not in s.commitments:
            raise NotFound(f"subject {s.code} has no commitment {cid}", field="commitment_id")
        return cid
    number = row.outcome["commitment_no"]
    found = [cid for cid, c in s.commitments.items() if c["data"].get("commitment_no") == number]
    if not found:
        raise NotFound(f"subject {s.code} has no commitment numbered {number!r}",
                       field="commitment_no")
    if len(found) > 1:
        raise Conflict(f"subject {s.code} has {len(found)} commitments numbered {number!r}: "
                       "give commitment_id", field="commitment_no")
    return found[0]


def _government_default(row: Row, s: Subject, ctx: Context) -> None:
    integrity.record_government_default(s, _body(row), ctx.by(row), ctx.rules)


def _rectification(row: Row, s: Subject, ctx: Context) -> None:
    default_id = s.find_government_default(authority=row.authority, **row.outcome)
    integrity.rectify_government_default(s, default_id, _body(row), ctx.by(row), ctx.rules)


def _credit_report(row: Row, s: Subject, ctx: Context) -> None:
    integrity.record_credit_report(s, _body(row), ctx.by(row), ctx.rules)


APPLY: dict[str, Callable[[Row, Subject, Context], None]] = {
    "principal": _principal, "permit": _permit, "penalty": _penalty, "listing": _listing,
    "commitment": _commitment, "commitment_outcome": _outcome,
    "government_default": _government_default, "default_rectification": _rectification,
    "credit_report": _credit_report,
}
