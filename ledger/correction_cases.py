"""The use cases that correct what is recorded: one method each, and the decisions behind them.

Each decision function takes the subject, the command, who records it and the rules of the
day, and returns the version holding the fact, as `ledger/subject_cases.py`'s do (an
importer carrying corrections would call the same functions). The methods get, decide and
save through `LedgerCore._decide` (docs/adr/018, 022).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.contracts.corrections import (
    DeregistrationIn,
    PenaltyCorrectionIn,
    PermitCorrectionIn,
    RenameIn,
    RevocationIn,
)
from ledger.core import By, Decision, LedgerCore, Receipt, Rules
from ledger.domain.subject import Subject
from ledger.subject_cases import PUBLICITY_RECEIPT


def revoke_penalty(s: Subject, decision_no: str, cmd: RevocationIn, by: By, rules: Rules
                   ) -> int:
    return s.revoke_penalty(authority=by.authority, actor=by.actor, decision_no=decision_no,
                            revoked_on=cmd.revoked_on, reason=cmd.reason, today=rules.today,
                            any_authority=by.any_authority)


def revoke_permit(s: Subject, decision_no: str, cmd: RevocationIn, by: By, rules: Rules
                  ) -> int:
    return s.revoke_permit(authority=by.authority, actor=by.actor, decision_no=decision_no,
                           revoked_on=cmd.revoked_on, reason=cmd.reason, today=rules.today,
                           any_authority=by.any_authority)


def correct_penalty(s: Subject, decision_no: str, cmd: PenaltyCorrectionIn, by: By,
                    rules: Rules) -> int:
    return s.correct_penalty(authority=by.authority, actor=by.actor, decision_no=decision_no,
                             corrected_on=cmd.corrected_on, reason=cmd.reason,
                             changes=cmd.changes(), today=rules.today, calendar=rules.calendar,
                             any_authority=by.any_authority)


def correct_permit(s: Subject, decision_no: str, cmd: PermitCorrectionIn, by: By,
                   rules: Rules) -> int:
    return s.correct_permit(authority=by.authority, actor=by.actor, decision_no=decision_no,
                            corrected_on=cmd.corrected_on, reason=cmd.reason,
                            changes=cmd.changes(), today=rules.today, calendar=rules.calendar,
                            any_authority=by.any_authority)


def rename_subject(s: Subject, cmd: RenameIn, by: By, rules: Rules) -> int:
    return s.rename(name=cmd.name, changed_on=cmd.changed_on, authority=by.authority,
                    actor=by.actor, today=rules.today, any_authority=by.any_authority)


def deregister_subject(s: Subject, cmd: DeregistrationIn, by: By, rules: Rules) -> int:
    return s.deregister(deregistered_on=cmd.deregistered_on, reason=cmd.reason,
                        authority=by.authority, actor=by.actor, today=rules.today,
                        any_authority=by.any_authority)


class CorrectionCases(LedgerCore):
    """Revoking and correcting permits and penalties; renaming and deregistering subjects."""

    def revoke_penalty(self, code: str, decision_no: str, cmd: RevocationIn, by: By
                       ) -> Receipt:
        return self._correct(code, lambda s: revoke_penalty(s, decision_no, cmd, by,
                                                            self.rules()))

    def revoke_permit(self, code: str, decision_no: str, cmd: RevocationIn, by: By) -> Receipt:
        return self._correct(code, lambda s: revoke_permit(s, decision_no, cmd, by,
                                                           self.rules()))

    def correct_penalty(self, code: str, decision_no: str, cmd: PenaltyCorrectionIn, by: By
                        ) -> Receipt:
        """Correct a penalty; the receipt says its (recomputed) lateness and publicity window."""
        return self._correct(code, lambda s: correct_penalty(s, decision_no, cmd, by,
                                                             self.rules()), PUBLICITY_RECEIPT)

    def correct_permit(self, code: str, decision_no: str, cmd: PermitCorrectionIn, by: By
                       ) -> Receipt:
        return self._correct(code, lambda s: correct_permit(s, decision_no, cmd, by,
                                                            self.rules()), ("late",))

    def rename_subject(self, code: str, cmd: RenameIn, by: By) -> Receipt:
        return self._correct(code, lambda s: rename_subject(s, cmd, by, self.rules()))

    def deregister_subject(self, code: str, cmd: DeregistrationIn, by: By) -> Receipt:
        return self._correct(code, lambda s: deregister_subject(s, cmd, by, self.rules()))

    def _correct(self, code: str, decide: Callable[[Subject], int],
                 receipt: tuple[str, ...] = ()) -> Receipt:
        """Get the subject, decide, save; the receipt adds `receipt`'s keys of the event."""
        def decision() -> Decision[Subject]:
            subject = self.subject(code)
            version = decide(subject)
            data = subject_event_data(subject, version) if receipt else {}
            return Decision(subject, version, extra={k: data[k] for k in receipt if k in data})

        return self._decide(f"subject {code}", decision)[0]


def subject_event_data(subject: Subject, version: int) -> dict[str, Any]:
    """The data of the subject's event at `version`, pending or (a replay) remembered."""
    for event in subject.pending_events:
        if event.originator_version == version:
            return dict(getattr(event, "data", {}))
    for found, data in subject.recorded_by.values():
        if found == version:
            return data
    return {}

