"""Applying a validated row to its Subject through the same aggregate methods the API calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.errors import AlreadyExists, Conflict, NotFound, WrongState
from ledger.domain.ownership import check_owner
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject, check_not_future
from ledger.importing.rows import Row, RowError


@dataclass(frozen=True)
class Context:
    """What every row is decided against: today's date, the calendar, who records, and the
    listing rules (the ledger's policy: an import meets the API's rules)."""

    today: date
    calendar: WorkingCalendar
    actor: str
    policy: RepairPolicy = field(default_factory=RepairPolicy)


def apply_row(row: Row, subject: Subject | None, ctx: Context) -> Subject:
    """Decide the row on its subject (registering it if the row says how); raise on a rule."""
    if subject is None:
        subject = _register(row, ctx)
        if row.record == "subject":
            return subject
    elif row.record == "subject":
        reg = row.register
        assert reg is not None
        if reg.strict and not subject.registration_matches(reg.name, reg.kind):
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
    check_not_future(ctx.today, registered_on=reg.registered_on)
    return Subject.register(
        code=row.subject, name=reg.name, kind=reg.kind, masked=reg.masked,
        authority=row.authority, actor=ctx.actor, registered_on=reg.registered_on or ctx.today,
        code_check_failed=reg.code_check_failed)


def _principal(row: Row, s: Subject, ctx: Context) -> None:
    b: Any = row.body
    s.link_principal(principal=row.principal or "", role=b.role.value, name=b.name,
                     since=b.since, authority=row.authority, actor=ctx.actor, today=ctx.today)


def _permit(row: Row, s: Subject, ctx: Context) -> None:
    b: Any = row.body
    s.grant_permit(authority=row.authority, actor=ctx.actor, decision_no=b.decision_no,
                   category=b.category, decided_on=b.decided_on, published_on=b.published_on,
                   details=b.details(), today=ctx.today, calendar=ctx.calendar)


def _penalty(row: Row, s: Subject, ctx: Context) -> None:
    b: Any = row.body
    s.impose_penalty(authority=row.authority, actor=ctx.actor, decision_no=b.decision_no,
                     severity=b.severity.value, domain=b.domain.value, decided_on=b.decided_on,
                     published_on=b.published_on, category=b.category, basis=b.basis,
                     special=b.special, details=b.details(), today=ctx.today,
                     calendar=ctx.calendar)


def _listing(row: Row, s: Subject, ctx: Context) -> None:
    b: Any = row.body
    s.put_on_list(authority=row.authority, actor=ctx.actor, list_name=b.list_name.value,
                  domain=b.domain.value, basis=b.basis, notified_on=b.notified_on,
                  listed_on=b.listed_on, expires_on=b.expires_on,
                  removal_conditions=b.removal_conditions or "", today=ctx.today,
                  policy=ctx.policy, calendar=ctx.calendar)


def _commitment(row: Row, s: Subject, ctx: Context) -> None:
    b: Any = row.body
    s.make_commitment(authority=row.authority, actor=ctx.actor,
                      commitment_type=b.commitment_type.value, made_on=b.made_on,
                      content=b.content, due_on=b.due_on, commitment_no=b.commitment_no,
                      today=ctx.today)


def _outcome(row: Row, s: Subject, ctx: Context) -> None:
    b: Any = row.body
    cid = _commitment_id(row, s)
    status = "fulfilled" if row.outcome["kept"] else "breached"
    # Before the replay below: another authority's file never learns an outcome by a no-op.
    check_owner(f"commitment {cid}", s.commitments[cid]["authority"], row.authority,
                "record whether it was kept")
    if s.commitments[cid]["status"] == status:
        return  # recorded before: a re-run adds nothing
    if s.commitments[cid]["status"] != "made":
        raise WrongState(f"commitment {cid} is already {s.commitments[cid]['status']}",
                         field="outcome")
    s.settle_commitment(commitment_id=cid, kept=row.outcome["kept"], on=b.on,
                        note=b.note or "", authority=row.authority, actor=ctx.actor,
                        today=ctx.today)


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


APPLY: dict[str, Callable[[Row, Subject, Context], None]] = {
    "principal": _principal, "permit": _permit, "penalty": _penalty, "listing": _listing,
    "commitment": _commitment, "commitment_outcome": _outcome,
}
