"""Build real event envelopes with the Subject aggregate, no store: stories for view tests."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.events import event_id
from ledger.domain.listing_rules import latest_expiry, latest_notice
from ledger.domain.repair import RepairPolicy
from ledger.domain.subject import Subject

TODAY = date(2030, 1, 1)
CAL = WorkingCalendar.default()
AUTHORITY = "11210000000000000X"
POLICY = RepairPolicy()


class Story:
    """Records facts about subjects and keeps every envelope in order, with positions."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []
        self.subjects: dict[str, Subject] = {}
        self.numbers = 0

    def _collect(self, subject: Subject) -> None:
        for event in subject.collect_events():
            self.envelopes.append(event.envelope(len(self.envelopes) + 1))  # type: ignore[attr-defined]

    def _next_no(self) -> str:
        self.numbers += 1
        return f"No.{self.numbers:05d}"

    def register(self, code: str, kind: str = "enterprise", on: str = "2020-01-01",
                 name: str | None = None, code_check_failed: bool = False,
                 authority: str = AUTHORITY) -> str:
        subject = Subject.register(code=code, name=name or f"Company {code}", kind=kind,
                                   masked=None, authority=authority, actor="test",
                                   registered_on=date.fromisoformat(on),
                                   code_check_failed=code_check_failed)
        self.subjects[code] = subject
        self._collect(subject)
        return code

    def penalty(self, code: str, severity: str = "general", on: str = "2021-03-01",
                domain: str = "tax", published_on: str | None = None,
                authority: str = AUTHORITY) -> str:
        number = self._next_no()
        self.subjects[code].impose_penalty(
            authority=authority, actor="test", decision_no=number, severity=severity,
            domain=domain, decided_on=date.fromisoformat(on),
            published_on=date.fromisoformat(published_on or on), category="fine", basis="law",
            special=False, details={}, today=TODAY, calendar=CAL)
        self._collect(self.subjects[code])
        return number

    def permit(self, code: str, on: str = "2021-01-04", published_on: str | None = None,
               authority: str = AUTHORITY) -> str:
        number = self._next_no()
        self.subjects[code].grant_permit(
            authority=authority, actor="test", decision_no=number, category="licence",
            decided_on=date.fromisoformat(on), published_on=date.fromisoformat(published_on or on),
            details={}, today=TODAY, calendar=CAL)
        self._collect(self.subjects[code])
        return number

    def revoke_penalty(self, code: str, number: str, on: str) -> None:
        self.subjects[code].revoke_penalty(authority=AUTHORITY, actor="test", decision_no=number,
                                           revoked_on=date.fromisoformat(on), reason="error",
                                           today=TODAY)
        self._collect(self.subjects[code])

    def revoke_permit(self, code: str, number: str, on: str) -> None:
        self.subjects[code].revoke_permit(authority=AUTHORITY, actor="test", decision_no=number,
                                          revoked_on=date.fromisoformat(on), reason="error",
                                          today=TODAY)
        self._collect(self.subjects[code])

    def correct_penalty(self, code: str, number: str, on: str, **changes: Any) -> None:
        """A correction from `on` of the given fields (wire form: dates as ISO text)."""
        self.subjects[code].correct_penalty(
            authority=AUTHORITY, actor="test", decision_no=number,
            corrected_on=date.fromisoformat(on), reason="typo", changes=changes, today=TODAY,
            calendar=CAL)
        self._collect(self.subjects[code])

    def correct_permit(self, code: str, number: str, on: str, **changes: Any) -> None:
        self.subjects[code].correct_permit(
            authority=AUTHORITY, actor="test", decision_no=number,
            corrected_on=date.fromisoformat(on), reason="typo", changes=changes, today=TODAY,
            calendar=CAL)
        self._collect(self.subjects[code])

    def rename(self, code: str, name: str, on: str) -> None:
        self.subjects[code].rename(name=name, changed_on=date.fromisoformat(on),
                                   authority=AUTHORITY, actor="test", today=TODAY)
        self._collect(self.subjects[code])

    def deregister(self, code: str, on: str) -> None:
        self.subjects[code].deregister(deregistered_on=date.fromisoformat(on), reason="closed",
                                       authority=AUTHORITY, actor="test", today=TODAY)
        self._collect(self.subjects[code])

    def end_publicity(self, code: str, number: str, on: str, reason: str = "repaired") -> None:
        self.subjects[code].end_penalty_publicity(
            penalty_authority=AUTHORITY, decision_no=number, ended_on=date.fromisoformat(on),
            reason=reason, authority=AUTHORITY, actor="test")
        self._collect(self.subjects[code])

    def listing(self, code: str, list_name: str = "black", on: str = "2021-06-01",
                domain: str = "tax", expires: str | None = None) -> str:
        """A listing after the policy's notice, until `expires` (default: the policy's
        maximum for the list; none for a red one)."""
        listed = date.fromisoformat(on)
        expires_on = date.fromisoformat(expires) if expires else latest_expiry(
            POLICY, list_name, domain, listed)
        _, listing_id = self.subjects[code].put_on_list(
            authority=AUTHORITY, actor="test", list_name=list_name, domain=domain, basis="law",
            notified_on=latest_notice(listed, POLICY.listing_notice_days, CAL), listed_on=listed,
            expires_on=expires_on, removal_conditions="repair", today=TODAY, policy=POLICY,
            calendar=CAL)
        self._collect(self.subjects[code])
        return listing_id

    def delist(self, code: str, listing_id: str, on: str, reason: str = "repaired") -> None:
        """A removal; `repaired` as the repair workflow records it: the case's approval, then
        the removal it makes."""
        if reason == "repaired":
            list_name = self.subjects[code].listings[listing_id]["data"]["list"]
            self.repair_event(code, "RepairApproved", on, target_id=listing_id, list_name=list_name)
            self.subjects[code].delist_by_repair(listing_id=listing_id, case_id="case",
                                                 delisted_on=date.fromisoformat(on),
                                                 authority=AUTHORITY, actor="test")
        else:
            self.subjects[code].remove_from_list(listing_id=listing_id, authority=AUTHORITY,
                                                 actor="test", delisted_on=date.fromisoformat(on),
                                                 reason=reason, today=TODAY)
        self._collect(self.subjects[code])

    def commitment(self, code: str, kind: str = "voluntary", on: str = "2021-02-01") -> str:
        _, cid = self.subjects[code].make_commitment(
            authority=AUTHORITY, actor="test", commitment_type=kind,
            made_on=date.fromisoformat(on), content=f"{kind} {self._next_no()}", due_on=None,
            today=TODAY)
        self._collect(self.subjects[code])
        return cid

    def settle(self, code: str, cid: str, kept: bool, on: str) -> None:
        self.subjects[code].settle_commitment(commitment_id=cid, kept=kept,
                                              on=date.fromisoformat(on), note="", today=TODAY,
                                              authority=AUTHORITY, actor="test")
        self._collect(self.subjects[code])

    def repair_event(self, code: str, type_name: str, on: str, domain: str = "tax",
                     target_id: str = "x", list_name: str = "black") -> None:
        """A repair-case event as the repair workflow publishes it (one event per case here)."""
        stream = str(uuid4())
        self.envelopes.append({
            "id": event_id(stream, 1), "type": type_name, "schema_version": 1, "subject": code,
            "stream": stream, "version": 1, "position": len(self.envelopes) + 1,
            "occurred_at": on, "recorded_at": on + "T00:00:00+00:00", "authority": AUTHORITY,
            "actor": "test", "prev_hash": "", "hash": "",
            "data": {"case_id": stream, "target_kind": "listing", "target_id": target_id,
                     "domain": domain, "list": list_name} | (
                {"issued_on": on, "agency": "信用服务机构", "report_no": f"R-{stream[:8]}",
                 "conclusion": "良好"} if type_name == "RepairReportSubmitted" else {})})
