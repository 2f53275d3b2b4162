"""The Subject aggregate: one credit subject and every fact recorded about it.

Its state and list rules are in `ledger/domain/subject_lists.py`, revocations, corrections,
renaming and deregistration in `subject_corrections.py`; here: registration, principals,
double publicity (permits, penalties) and credit commitments.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from ledger.domain import subject_events as ev
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.dates import check_not_future, check_published_after_decision
from ledger.domain.errors import NotFound, RuleViolation, WrongState
from ledger.domain.events import stream_id, uuid5_text
from ledger.domain.publicity import publicity_window, published_late
from ledger.domain.registration import check_registration
from ledger.domain.resident_id import check_organisation_code
from ledger.domain.subject_corrections import SubjectCorrections
from ledger.domain.subject_integrity import SubjectIntegrity
from ledger.domain.vocabulary import CommitmentStatus, PenaltyStatus


@lru_cache(maxsize=4096)  # the importer asks for each new subject twice (load, register)
def subject_stream(code: str) -> UUID:
    return stream_id("subject", code)


class Subject(SubjectCorrections, SubjectIntegrity):
    """A credit subject: identity, principals, permits, penalties, listings, commitments."""

    def __init__(self) -> None:  # its own, or the library makes one from the annotations
        super().__init__()

    @classmethod
    def register(
        cls, *, code: str, name: str, kind: str, masked: str | None, authority: str, actor: str,
        registered_on: date, code_check_failed: bool = False, profession: str | None = None,
    ) -> Subject:
        check_organisation_code(code, kind)
        check_registration(code, kind, profession)
        return cls._start(ev.SubjectRegistered, subject_stream(code), subject=code,
                          on=registered_on, authority=authority, actor=actor, code=code,
                          name=name, kind=kind, masked=masked or None,
                          code_check_failed=True if code_check_failed else None,
                          profession=profession)

    def registration_matches(self, name: str, kind: str, profession: str | None = None
                             ) -> bool:
        # As registered: a renamed subject's registration, sent again, is still the same one.
        return self.registered_name == name and self.kind == kind and profession in (
            None, self.profession)

    # -- principals ---------------------------------------------------------

    def link_principal(
        self, *, principal: str, role: str, name: str | None, since: date, authority: str,
        actor: str, today: date,
    ) -> int:
        check_not_future(today, since=since)
        return self._record_once(f"principal|{role}|{principal}", ev.PrincipalLinked, since,
                                 authority, actor, principal=principal, role=role, name=name,
                                 since=since)

    # -- double publicity ------------------------------------------------------

    def grant_permit(
        self, *, authority: str, actor: str, decision_no: str, category: str, decided_on: date,
        published_on: date, details: dict[str, Any], today: date, calendar: WorkingCalendar,
    ) -> int:
        check_not_future(today, decided_on=decided_on, published_on=published_on)
        check_published_after_decision(decided_on, published_on)
        return self._record_once(
            f"permit|{ev.key(authority, decision_no)}", ev.PermitGranted, decided_on, authority,
            actor, details, decision_no=decision_no, category=category, decided_on=decided_on,
            published_on=published_on, late=published_late(decided_on, published_on, calendar))

    def impose_penalty(
        self, *, authority: str, actor: str, decision_no: str, severity: str, domain: str,
        decided_on: date, published_on: date, category: str, basis: str, special: bool,
        details: dict[str, Any], today: date, calendar: WorkingCalendar,
    ) -> int:
        check_not_future(today, decided_on=decided_on, published_on=published_on)
        check_published_after_decision(decided_on, published_on)
        window = publicity_window(severity, decided_on, special)
        return self._record_once(
            f"penalty|{ev.key(authority, decision_no)}", ev.PenaltyImposed, decided_on,
            authority, actor, details, decision_no=decision_no, severity=severity,
            domain=domain, decided_on=decided_on, published_on=published_on, category=category,
            basis=basis, special=special, late=published_late(decided_on, published_on, calendar),
            rule_set=window.rule_set, publicity_min_until=window.min_until,
            publicity_max_until=window.max_until)

    def penalty(self, authority: str, decision_no: str) -> dict[str, Any]:
        try:
            return self.penalties[ev.key(authority, decision_no)]
        except KeyError:
            raise NotFound(f"no penalty {decision_no!r} from authority {authority}",
                           field="decision_no") from None

    def end_penalty_publicity(
        self, *, penalty_authority: str, decision_no: str, ended_on: date, reason: str,
        authority: str, actor: str,
    ) -> int:
        if self.penalty(penalty_authority, decision_no)["status"] != PenaltyStatus.PUBLIC:
            raise WrongState(f"penalty {decision_no!r} is no longer publicly shown")
        return self._record(ev.PenaltyPublicityEnded, ended_on, authority, actor,
                            penalty_authority=penalty_authority, decision_no=decision_no,
                            ended_on=ended_on, reason=reason)

    # -- commitments ---------------------------------------------------------

    def make_commitment(
        self, *, authority: str, actor: str, commitment_type: str, made_on: date, content: str,
        due_on: date | None, today: date, commitment_no: str | None = None,
    ) -> tuple[int, str]:
        check_not_future(today, made_on=made_on)
        cid = uuid5_text(self.id.bytes, f"{authority}|{commitment_no or ''}|{commitment_type}|"
                                        f"{made_on}|{content}")
        if (commitment_type == "missing_documents" and f"commitment|{cid}" not in self.recorded_by
                and self.has_unrepaired_dishonesty(made_on)):
            raise RuleViolation("a subject with an unrepaired dishonesty record may not use "
                                "missing-documents acceptance", field="type")
        version = self._record_once(f"commitment|{cid}", ev.CommitmentMade, made_on, authority,
                                    actor, commitment_id=cid, type=commitment_type,
                                    made_on=made_on, content=content, due_on=due_on,
                                    commitment_no=commitment_no)
        return version, cid

    def settle_commitment(
        self, *, commitment_id: str, kept: bool, on: date, note: str, authority: str, actor: str,
        today: date, any_authority: bool = False, rerun: bool = False,
    ) -> int:
        """Record whether a commitment was kept, once. `rerun` (an import file run again): the
        same outcome already recorded is a no-op, and a conflict names the row's `outcome`."""
        check_not_future(today, on=on)
        # Owner first, then the no-op below: another authority never learns an outcome so.
        commitment = self._owned_entry("commitment", self.commitments, commitment_id,
                                       "commitment_id", authority, "record whether it was kept",
                                       any_authority)
        status = CommitmentStatus.FULFILLED if kept else CommitmentStatus.BREACHED
        if rerun and commitment["status"] == status:
            return self.version  # no-op; the importer, its one caller, reads no version
        if commitment["status"] != CommitmentStatus.MADE:
            raise WrongState(f"commitment {commitment_id} is already {commitment['status']}",
                             field="outcome" if rerun else None)
        cls = ev.CommitmentFulfilled if kept else ev.CommitmentBreached
        return self._record(cls, on, authority, actor, commitment_id=commitment_id, on=on,
                            note=note)
