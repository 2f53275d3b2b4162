"""Joint reward/punishment use cases: open a listing's case, respond, close with feedback."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from ledger.contracts.repairs import ClosureIn, JointCaseIn, MeasureIn
from ledger.core import By, Decision, LedgerCore, Receipt
from ledger.domain.errors import NotFound
from ledger.domain.joint_case import JointCase, joint_stream

Done = tuple[Receipt, JointCase]


class JointCases(LedgerCore):
    """Departments' use cases on joint cases (联合奖惩)."""

    def joint_case(self, case_id: str | UUID) -> JointCase:
        return self._get(JointCase, case_id, "joint case")

    def open_joint_case(self, code: str, cmd: JointCaseIn, by: By) -> Done:
        """Open the joint case of a listing; asking again answers with the case already open."""
        def decide() -> Decision[JointCase]:
            owner = self.subject(code)
            listing = owner.listings.get(cmd.listing_id)
            if listing is None:
                raise NotFound(f"subject {code} has no listing {cmd.listing_id}",
                               field="listing_id")
            # Before the replay below: only the listing's authority learns of its case so.
            JointCase.check_opener(listing, by.authority, by.any_authority)
            if joint_stream(code, cmd.listing_id) in self.repository:
                return Decision(self.joint_case(joint_stream(code, cmd.listing_id)), 1)
            return Decision(JointCase.initiate(
                subject=code, listing=listing, on=cmd.initiated_on, today=self.clock(),
                any_authority=by.any_authority, **by.kw()))

        return self._decide(f"the joint case of listing {cmd.listing_id}", decide)

    def respond_to_joint_case(self, case_id: str, cmd: MeasureIn, by: By) -> Done:
        """This department's measure; the same measure again names the version holding it."""
        return self._joint_step(case_id, lambda c: c.respond(
            measure=cmd.measure, on=cmd.applied_on, today=self.clock(), **by.kw()))

    def close_joint_case(self, case_id: str, cmd: ClosureIn, by: By) -> Done:
        return self._joint_step(case_id, lambda c: c.close(
            feedback=cmd.feedback, on=cmd.closed_on, today=self.clock(),
            any_authority=by.any_authority, **by.kw()))

    def _joint_step(self, case_id: str, decide: Callable[[JointCase], int]) -> Done:
        def decision() -> Decision[JointCase]:
            case = self.joint_case(case_id)
            return Decision(case, decide(case))

        return self._decide(f"joint case {case_id}", decision)
