"""Correcting what a subject's record says: revoking or correcting a permit or penalty, renaming
or deregistering the subject. Each is a new event; nothing recorded is edited (docs/adr/022).

Only the authority that recorded a permit or penalty may revoke or correct it, and only the
subject's registrar may rename or deregister it; an admin may act for any authority (the
event then names the record's authority beside its own). The same request again answers
with the event it recorded; a correction that changes nothing is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson

from ledger.domain import correction_events as cev
from ledger.domain import subject_events as ev
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.dates import check_not_future, check_published_after_decision
from ledger.domain.errors import Conflict, DateRuleViolation, NotFound, RuleViolation, WrongState
from ledger.domain.events import LedgerEvent, uuid5_text
from ledger.domain.ownership import NotOwner, check_owner
from ledger.domain.publicity import publicity_window, published_late
from ledger.domain.subject_lists import SubjectLists
from ledger.domain.vocabulary import PenaltyStatus, PermitStatus

# What a correction may change; the rest is the record's identity (decision_no), when it was
# published (the platform's own fact, which timeliness measures), or derived from these.
PENALTY_CORRECTABLE = frozenset({
    "severity", "domain", "category", "basis", "special", "decided_on", "party_name",
    "legal_representative", "violation_type", "facts", "penalty_content", "fine_amount",
    "confiscation_amount", "publicity_end_date", "data_source_unit"})
PERMIT_CORRECTABLE = frozenset({
    "category", "decided_on", "party_name", "legal_representative", "document_name",
    "certificate_name", "certificate_no", "content", "valid_from", "valid_to",
    "data_source_unit"})


class NothingToCorrect(RuleViolation):
    """The correction would leave the record as it is."""

    rule = "no_change"


def typed(event_class: type[LedgerEvent], wire: dict[str, Any]) -> tuple[dict[str, Any],
                                                                           dict[str, Any]]:
    """A record's wire dict as (the class's declared fields, typed; the free-form rest)."""
    fields, extra = {}, {}
    for name, value in wire.items():
        spec = event_class.FIELDS.get(name)
        if spec is None:
            extra[name] = value
        else:
            fields[name] = value if value is None or spec.plain else spec.read(value)
    return fields, extra


def correction_id(stream: bytes, what: str, owner: str, decision_no: str, corrected_on: date,
                  reason: str, changes: dict[str, Any]) -> str:
    """The identity of a correction request: the same request again is the same correction."""
    request = orjson.dumps([what, owner, decision_no, corrected_on.isoformat(), reason, changes],
                           option=orjson.OPT_SORT_KEYS).decode()
    return uuid5_text(stream, request)


def changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What a correction replaced: key -> its former value (None: it had none)."""
    return {k: old.get(k) for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)}


class SubjectCorrections(SubjectLists):
    """Revocations and corrections of permits and penalties; renaming and deregistration."""

    def __init__(self) -> None:  # its own, or the library makes one from the annotations
        super().__init__()

    def _owned(self, what: str, records: dict[str, dict[str, Any]], authority: str,
               decision_no: str, action: str, any_authority: bool) -> tuple[str, dict[str, Any]]:
        """(its authority, the record): the caller's own, or for an admin the one recorded."""
        mine = records.get(ev.key(authority, decision_no))
        if mine is not None:
            return authority, mine
        owners = sorted(k.split("|", 1)[0] for k, r in records.items()
                        if r["data"]["decision_no"] == decision_no)
        if not owners:
            raise NotFound(f"subject {self.code} has no {what} {decision_no!r}",
                           field="decision_no")
        if not any_authority:
            raise NotOwner(f"{what} {decision_no!r} belongs to authority {owners[0]}: only that "
                           f"authority or an admin may {action}", owner=owners[0])
        if len(owners) > 1:
            raise Conflict(f"{len(owners)} authorities recorded a {what} {decision_no!r}: "
                           "the authority that recorded it must act", field="decision_no")
        return owners[0], records[ev.key(owners[0], decision_no)]

    # -- revocation ------------------------------------------------------------

    def revoke_penalty(self, *, authority: str, actor: str, decision_no: str, revoked_on: date,
                       reason: str, today: date, any_authority: bool = False) -> int:
        return self._revoke("penalty", self.penalties, ev.PenaltyRevoked, authority, actor,
                            decision_no, revoked_on, reason, today, any_authority)

    def revoke_permit(self, *, authority: str, actor: str, decision_no: str, revoked_on: date,
                      reason: str, today: date, any_authority: bool = False) -> int:
        return self._revoke("permit", self.permits, ev.PermitRevoked, authority, actor,
                            decision_no, revoked_on, reason, today, any_authority)

    def _revoke(self, what: str, records: dict[str, dict[str, Any]],
                event: type[LedgerEvent], authority: str, actor: str, decision_no: str,
                revoked_on: date, reason: str, today: date, any_authority: bool) -> int:
        """A permit's or penalty's revocation; an admin's names the owner (`<what>_authority`)."""
        check_not_future(today, revoked_on=revoked_on)
        owner, record = self._owned(what, records, authority, decision_no, "revoke it",
                                    any_authority)
        check_not_before(revoked_on, record["data"]["decided_on"], "revoked_on")
        return self._record_once(
            f"revocation|{what}|{ev.key(owner, decision_no)}", event, revoked_on, authority,
            actor, decision_no=decision_no, revoked_on=revoked_on, reason=reason,
            **{f"{what}_authority": None if owner == authority else owner})

    # -- correction ------------------------------------------------------------

    def correct_penalty(self, *, authority: str, actor: str, decision_no: str,
                        corrected_on: date, reason: str, changes: dict[str, Any], today: date,
                        calendar: WorkingCalendar, any_authority: bool = False) -> int:
        """`changes`: the new values of correctable keys, in their wire form."""
        def derive(new: dict[str, Any], decided: date) -> None:
            if new.get("publicity_end_date") and new["publicity_end_date"] < new["decided_on"]:
                raise DateRuleViolation("publicity_end_date is before decided_on",
                                        field="publicity_end_date")
            window = publicity_window(new["severity"], decided, bool(new["special"]))
            new |= {"late": published_late(decided, date.fromisoformat(new["published_on"]),
                                           calendar),
                    "rule_set": window.rule_set,
                    "publicity_min_until": window.min_until.isoformat(),
                    "publicity_max_until": window.max_until.isoformat()}

        return self._correct("penalty", self.penalties, PENALTY_CORRECTABLE, PenaltyStatus.PUBLIC,
                             cev.PenaltyCorrected, "penalty_authority", derive,
                             authority=authority, actor=actor, decision_no=decision_no,
                             corrected_on=corrected_on, reason=reason, changes=changes,
                             today=today, any_authority=any_authority)

    def correct_permit(self, *, authority: str, actor: str, decision_no: str,
                       corrected_on: date, reason: str, changes: dict[str, Any], today: date,
                       calendar: WorkingCalendar, any_authority: bool = False) -> int:
        """`changes`: the new values of correctable keys, in their wire form."""
        def derive(new: dict[str, Any], decided: date) -> None:
            if new.get("valid_from") and new.get("valid_to") and \
                    new["valid_to"] < new["valid_from"]:
                raise DateRuleViolation("valid_to is before valid_from", field="valid_to")
            new["late"] = published_late(decided, date.fromisoformat(new["published_on"]),
                                         calendar)

        return self._correct("permit", self.permits, PERMIT_CORRECTABLE, PermitStatus.VALID,
                             cev.PermitCorrected, "permit_authority", derive,
                             authority=authority, actor=actor, decision_no=decision_no,
                             corrected_on=corrected_on, reason=reason, changes=changes,
                             today=today, any_authority=any_authority)

    def _correct(self, what: str, records: dict[str, Any], correctable: frozenset[str],
                 shown: str, event: Any, owner_key: str,
                 derive: Callable[[dict[str, Any], date], None], *, authority: str, actor: str,
                 decision_no: str, corrected_on: date, reason: str, changes: dict[str, Any],
                 today: date, any_authority: bool) -> int:
        """One correction of a permit or penalty: the whole corrected record, with what it
        replaced; `derive` checks the kind's own rules and recomputes its derived keys."""
        owner, record = self._owned(what, records, authority, decision_no, "correct it",
                                    any_authority)
        cid = correction_id(self.id.bytes, what, owner, decision_no, corrected_on, reason,
                            changes)
        if f"correction|{cid}" in self.recorded_by:
            return self.recorded_by[f"correction|{cid}"][0]
        self._check_correctable(what, decision_no, record, changes, correctable, shown)
        old = record["data"]
        new = {**old, **changes}
        derive(new, self._check_dates(new, corrected_on, record, today))
        previous = changed(old, new)
        if not previous:
            raise NothingToCorrect(f"{what} {decision_no!r} already says so: the correction "
                                   "changes nothing")
        fields, extra = typed(event, new)
        return self._record(event, corrected_on, authority, actor, extra, **fields,
                            **{owner_key: owner}, corrected_on=corrected_on,
                            correction_reason=reason, correction_id=cid, previous=previous)

    @staticmethod
    def _check_correctable(what: str, decision_no: str, record: dict[str, Any],
                           changes: dict[str, Any], correctable: frozenset[str],
                           shown: str) -> None:
        for name in changes:
            if name not in correctable:
                raise RuleViolation(f"{name} of a {what} cannot be corrected (correctable: "
                                    f"{', '.join(sorted(correctable))})", field=name)
        if record["status"] != shown:
            # A revoked record is void; an ended publicity is history: neither is corrected
            # (a new correction would put an ended penalty back into the score).
            raise WrongState(f"{what} {decision_no!r} is {record['status']}: it can no longer "
                             "be corrected")

    @staticmethod
    def _check_dates(new: dict[str, Any], corrected_on: date, record: dict[str, Any],
                     today: date) -> date:
        """The corrected record's decision date, checked with the correction's own date."""
        decided = date.fromisoformat(new["decided_on"])
        check_not_future(today, corrected_on=corrected_on, decided_on=decided)
        check_published_after_decision(decided, date.fromisoformat(new["published_on"]))
        check_not_before(corrected_on, new["decided_on"], "corrected_on")
        # Corrections take effect in the order of their dates: a later one replaces an earlier.
        check_not_before(corrected_on, record.get("corrected_on"), "corrected_on")
        return decided

    # -- the subject itself ------------------------------------------------------

    def rename(self, *, name: str, changed_on: date, authority: str, actor: str, today: date,
               any_authority: bool = False) -> int:
        check_not_future(today, changed_on=changed_on)
        check_owner(f"subject {self.code}", self.registrar, authority, "rename it",
                    any_authority=any_authority)
        again = self.recorded_by.get(f"rename|{changed_on.isoformat()}|{name}")
        if again is not None:
            return again[0]
        if self.deregistered:
            raise WrongState(f"subject {self.code} was deregistered on "
                             f"{self.deregistered['on']}: it is not renamed")
        if name == self.name:
            raise NothingToCorrect(f"subject {self.code} is already named {name!r}",
                                   field="name")
        if self.former_names:
            check_not_before(changed_on, self.former_names[-1]["until"], "changed_on")
        return self._record(cev.SubjectRenamed, changed_on, authority, actor, name=name,
                            former_name=self.name, changed_on=changed_on)

    def deregister(self, *, deregistered_on: date, reason: str, authority: str, actor: str,
                   today: date, any_authority: bool = False) -> int:
        check_not_future(today, deregistered_on=deregistered_on)
        check_owner(f"subject {self.code}", self.registrar, authority, "deregister it",
                    any_authority=any_authority)
        return self._record_once("deregistration", cev.SubjectDeregistered, deregistered_on,
                                 authority, actor, deregistered_on=deregistered_on,
                                 reason=reason)


def check_not_before(value: date, earlier: str | None, name: str) -> None:
    """`value` is not before the ISO date `earlier` (None: nothing to check)."""
    if earlier is not None and value.isoformat() < earlier:
        raise DateRuleViolation(f"{name} {value} is before {earlier}", field=name)
