"""The use cases on a credit subject: one method each, and the decisions the importer shares.

Each decision function takes the subject, the command (the body the API and the importer both
validate), who records it and the rules of the day, and returns the version that holds the
fact (and a new record's id). The application's methods get the subject, decide, save
(`LedgerCore._decide`); the importer decides many rows on subjects it holds and saves them in
bulk, through the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.contracts.records import (
    CommitmentIn,
    CommitmentOutcomeIn,
    ListingIn,
    PenaltyIn,
    PermitIn,
    PrincipalIn,
    RemovalIn,
)
from ledger.core import By, Decision, LedgerCore, Receipt, Rules
from ledger.domain.dates import check_not_future
from ledger.domain.errors import AlreadyExists
from ledger.domain.subject import Subject
from ledger.domain.subject_events import key


@dataclass(frozen=True)
class Registration:
    """A subject to register, its code already checked (a USCC, or a person's pseudonym)."""

    code: str
    name: str
    kind: str
    masked: str | None = None
    code_check_failed: bool = False
    registered_on: date | None = None
    profession: str | None = None


def new_subject(reg: Registration, by: By, rules: Rules) -> Subject:
    check_not_future(rules.today, registered_on=reg.registered_on)
    return Subject.register(code=reg.code, name=reg.name, kind=reg.kind, masked=reg.masked,
                            registered_on=reg.registered_on or rules.today,
                            code_check_failed=reg.code_check_failed,
                            profession=reg.profession,
                            authority=by.authority, actor=by.actor)


def link_principal(s: Subject, principal: str, cmd: PrincipalIn, by: By, rules: Rules) -> int:
    return s.link_principal(principal=principal, role=cmd.role.value, name=cmd.name,
                            since=cmd.since, today=rules.today,
                            authority=by.authority, actor=by.actor)


def grant_permit(s: Subject, cmd: PermitIn, by: By, rules: Rules) -> int:
    return s.grant_permit(
        decision_no=cmd.decision_no, category=cmd.category, decided_on=cmd.decided_on,
        published_on=cmd.published_on, details=cmd.details(), today=rules.today,
        calendar=rules.calendar, authority=by.authority, actor=by.actor)


def impose_penalty(s: Subject, cmd: PenaltyIn, by: By, rules: Rules) -> int:
    return s.impose_penalty(
        decision_no=cmd.decision_no, severity=cmd.severity.value, domain=cmd.domain.value,
        decided_on=cmd.decided_on, published_on=cmd.published_on, category=cmd.category,
        basis=cmd.basis, special=cmd.special, details=cmd.details(), today=rules.today,
        calendar=rules.calendar, authority=by.authority, actor=by.actor)


def put_on_list(s: Subject, cmd: ListingIn, by: By, rules: Rules) -> tuple[int, str]:
    return s.put_on_list(
        list_name=cmd.list_name.value, domain=cmd.domain.value, basis=cmd.basis,
        notified_on=cmd.notified_on, listed_on=cmd.listed_on, expires_on=cmd.expires_on,
        removal_conditions=cmd.removal_conditions or "", today=rules.today,
        policy=rules.policy, calendar=rules.calendar, authority=by.authority, actor=by.actor)


def remove_from_list(s: Subject, listing_id: str, cmd: RemovalIn, by: By, rules: Rules
                     ) -> int:
    return s.remove_from_list(listing_id=listing_id, delisted_on=cmd.delisted_on,
                              reason=cmd.reason.value, today=rules.today,
                              any_authority=by.any_authority,
                              authority=by.authority, actor=by.actor)


def make_commitment(s: Subject, cmd: CommitmentIn, by: By, rules: Rules) -> tuple[int, str]:
    return s.make_commitment(
        commitment_type=cmd.commitment_type.value, made_on=cmd.made_on, content=cmd.content,
        due_on=cmd.due_on, commitment_no=cmd.commitment_no, today=rules.today,
        authority=by.authority, actor=by.actor)


def settle_commitment(s: Subject, commitment_id: str, kept: bool, cmd: CommitmentOutcomeIn,
                      by: By, rules: Rules, *, rerun: bool = False) -> int:
    return s.settle_commitment(commitment_id=commitment_id, kept=kept, on=cmd.on,
                               note=cmd.note or "", today=rules.today,
                               any_authority=by.any_authority, rerun=rerun,
                               authority=by.authority, actor=by.actor)


Fact = tuple[int, dict[str, Any]]  # the version holding the fact, and what the receipt adds
PUBLICITY_RECEIPT = ("late", "rule_set", "publicity_min_until", "publicity_max_until")


class SubjectCases(LedgerCore):
    """Registering subjects and recording the facts departments report about them."""

    def register_subject(self, reg: Registration, by: By) -> Receipt:
        """Register a subject; the same registration again answers with the first."""
        def decide() -> Decision[Subject]:
            if not self.has_subject(reg.code):
                return Decision(new_subject(reg, by, self.rules()))
            existing = self.subject(reg.code)
            if not existing.registration_matches(reg.name, reg.kind, reg.profession):
                rename = ("; to record a new name, POST /v1/subjects/{code}/name"
                          if existing.kind == reg.kind else "")
                raise AlreadyExists(f"subject {reg.code} is already registered as "
                                    f"{existing.kind} {existing.registered_name!r}{rename}",
                                    field="code")
            return Decision(existing, 1)

        return self._decide(f"subject {reg.code}", decide)[0]

    def link_principal(self, code: str, principal: str, cmd: PrincipalIn, by: By) -> Receipt:
        return self._on_subject(code, lambda s: (
            link_principal(s, principal, cmd, by, self.rules()), {}))

    def grant_permit(self, code: str, cmd: PermitIn, by: By) -> Receipt:
        def decide(s: Subject) -> Fact:
            version = grant_permit(s, cmd, by, self.rules())
            return version, {"late": s.permits[key(by.authority, cmd.decision_no)]["data"]
                             ["late"]}

        return self._on_subject(code, decide)

    def impose_penalty(self, code: str, cmd: PenaltyIn, by: By) -> Receipt:
        def decide(s: Subject) -> Fact:
            version = impose_penalty(s, cmd, by, self.rules())
            data = s.penalties[key(by.authority, cmd.decision_no)]["data"]
            return version, {k: data[k] for k in PUBLICITY_RECEIPT}

        return self._on_subject(code, decide)

    def put_on_list(self, code: str, cmd: ListingIn, by: By) -> Receipt:
        def decide(s: Subject) -> Fact:
            version, listing_id = put_on_list(s, cmd, by, self.rules())
            return version, {"listing_id": listing_id}

        return self._on_subject(code, decide)

    def remove_from_list(self, code: str, listing_id: str, cmd: RemovalIn, by: By) -> Receipt:
        return self._on_subject(code, lambda s: (
            remove_from_list(s, listing_id, cmd, by, self.rules()), {}))

    def make_commitment(self, code: str, cmd: CommitmentIn, by: By) -> Receipt:
        def decide(s: Subject) -> Fact:
            version, commitment_id = make_commitment(s, cmd, by, self.rules())
            return version, {"commitment_id": commitment_id}

        return self._on_subject(code, decide)

    def settle_commitment(self, code: str, commitment_id: str, cmd: CommitmentOutcomeIn,
                          by: By, *, kept: bool) -> Receipt:
        return self._on_subject(code, lambda s: (
            settle_commitment(s, commitment_id, kept, cmd, by, self.rules()), {}))

    def _on_subject(self, code: str, decide: Callable[[Subject], Fact]) -> Receipt:
        """Get the subject, decide, save: the receipt names the event holding the fact."""
        def decision() -> Decision[Subject]:
            subject = self.subject(code)
            version, extra = decide(subject)
            return Decision(subject, version, extra=extra)

        return self._decide(f"subject {code}", decision)[0]
