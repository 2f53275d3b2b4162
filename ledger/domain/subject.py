"""The Subject aggregate: one credit subject and every fact recorded about it."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.domain import subject_events as ev
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.dates import check_not_future, check_published_after_decision
from ledger.domain.errors import (
    Conflict,
    DateRuleViolation,
    NotFound,
    NotListed,
    RuleViolation,
    WrongState,
)
from ledger.domain.events import LedgerEvent, stream_id, uuid5_text
from ledger.domain.listing_rules import (
    RepairOnly,
    check_notice,
    check_one_listing,
    check_period,
)
from ledger.domain.ownership import NotOwner, check_owner
from ledger.domain.publicity import publicity_window, published_late
from ledger.domain.repair import RepairPolicy
from ledger.domain.resident_id import check_organisation_code
from ledger.domain.visibility import still_open
from ledger.domain.vocabulary import DelistReason, ListName


@lru_cache(maxsize=4096)  # the importer asks for each new subject twice (load, register)
def subject_stream(code: str) -> UUID:
    return stream_id("subject", code)


class Subject(Aggregate):
    """A credit subject: identity, principals, permits, penalties, listings, commitments."""

    code: str
    name: str
    kind: str
    masked: str | None
    last_hash: str
    recorded_by: dict[str, tuple[int, dict[str, Any]]]
    permits: dict[str, dict[str, Any]]
    penalties: dict[str, dict[str, Any]]
    listings: dict[str, dict[str, Any]]
    commitments: dict[str, dict[str, Any]]
    principals: dict[str, dict[str, Any]]

    def __init__(self) -> None:
        # State starts empty; SubjectRegistered fills in the identity.
        self._stream = str(self.id)  # as in every envelope; str(UUID) is slow
        self.last_hash = ""
        self.recorded_by, self.permits, self.penalties = {}, {}, {}
        self.listings, self.commitments, self.principals = {}, {}, {}

    @classmethod
    def register(
        cls, *, code: str, name: str, kind: str, masked: str | None, authority: str, actor: str,
        registered_on: date, code_check_failed: bool = False,
    ) -> Subject:
        check_organisation_code(code, kind)
        data: dict[str, Any] = {"code": code, "name": name, "kind": kind}
        if masked:
            data["masked"] = masked
        if code_check_failed:
            data["code_check_failed"] = True
        # What _create does (and the library's rebuild from the store), minus its generic
        # steps: a fifth of the events are registrations.
        stream = subject_stream(code)
        event = ev.SubjectRegistered.sealed(
            stream, str(stream), cls.INITIAL_VERSION, subject=code, authority=authority,
            actor=actor, occurred_at=registered_on.isoformat(), data=data, prev_hash="",
            topic=get_topic(cls))
        subject = cls.__new__(cls)
        subject.__base_init__(stream, cls.INITIAL_VERSION, event.timestamp)
        subject.__init__()  # type: ignore[misc]
        event.apply(subject)
        subject.pending_events.append(event)
        return subject

    def registration_matches(self, name: str, kind: str) -> bool:
        return self.name == name and self.kind == kind

    # -- recording helpers -------------------------------------------------

    def _record(
        self, cls: type[LedgerEvent], *, authority: str, actor: str, occurred_on: date,
        data: dict[str, Any],
    ) -> int:
        # trigger_event's work, without its generic checks (the event is ours and next by
        # construction): a quarter of the CPU of deciding a row went there.
        version = self._version + 1
        event = cls.sealed(self._id, self._stream, version, subject=self.code,
                           authority=authority, actor=actor, occurred_at=occurred_on.isoformat(),
                           data=data, prev_hash=self.last_hash)
        event.apply(self)
        self._version, self._modified_on = version, event.timestamp
        self._pending_events.append(event)
        return version

    def _record_once(
        self, record_key: str, cls: type[LedgerEvent], *, authority: str, actor: str,
        occurred_on: date, data: dict[str, Any],
    ) -> int:
        """Idempotent by record key: the same content again is a no-op, other content a conflict."""
        if record_key in self.recorded_by:
            version, existing = self.recorded_by[record_key]
            if existing == data:
                return version
            what = record_key.split("|", 1)
            raise Conflict(
                f"{what[0]} {what[1]!r} was already recorded with different content "
                f"(version {version}); correct it with a new event instead",
                field="decision_no" if what[0] in ("permit", "penalty") else None,
            )
        return self._record(cls, authority=authority, actor=actor, occurred_on=occurred_on,
                            data=data)

    # -- principals ---------------------------------------------------------

    def link_principal(
        self, *, principal: str, role: str, name: str | None, since: date, authority: str,
        actor: str, today: date,
    ) -> int:
        check_not_future(today, since=since)
        data = {"principal": principal, "role": role, "name": name, "since": since.isoformat()}
        return self._record_once(f"principal|{role}|{principal}", ev.PrincipalLinked,
                                 authority=authority, actor=actor, occurred_on=since, data=data)

    # -- double publicity ------------------------------------------------------

    def grant_permit(
        self, *, authority: str, actor: str, decision_no: str, category: str, decided_on: date,
        published_on: date, details: dict[str, Any], today: date, calendar: WorkingCalendar,
    ) -> int:
        check_not_future(today, decided_on=decided_on, published_on=published_on)
        check_published_after_decision(decided_on, published_on)
        data = details | {
            "decision_no": decision_no, "category": category,
            "decided_on": decided_on.isoformat(), "published_on": published_on.isoformat(),
            "late": published_late(decided_on, published_on, calendar),
        }
        return self._record_once(f"permit|{ev.key(authority, decision_no)}", ev.PermitGranted,
                                 authority=authority, actor=actor, occurred_on=decided_on,
                                 data=data)

    def impose_penalty(
        self, *, authority: str, actor: str, decision_no: str, severity: str, domain: str,
        decided_on: date, published_on: date, category: str, basis: str, special: bool,
        details: dict[str, Any], today: date, calendar: WorkingCalendar,
    ) -> int:
        check_not_future(today, decided_on=decided_on, published_on=published_on)
        check_published_after_decision(decided_on, published_on)
        window = publicity_window(severity, decided_on, special)
        data = details | {
            "decision_no": decision_no, "severity": severity, "domain": domain,
            "decided_on": decided_on.isoformat(), "published_on": published_on.isoformat(),
            "category": category, "basis": basis, "special": special,
            "late": published_late(decided_on, published_on, calendar),
            "rule_set": window.rule_set, "publicity_min_until": window.min_until.isoformat(),
            "publicity_max_until": window.max_until.isoformat(),
        }
        return self._record_once(f"penalty|{ev.key(authority, decision_no)}", ev.PenaltyImposed,
                                 authority=authority, actor=actor, occurred_on=decided_on,
                                 data=data)

    def penalty(self, authority: str, decision_no: str) -> dict[str, Any]:
        try:
            return self.penalties[ev.key(authority, decision_no)]
        except KeyError:
            raise NotFound(f"no penalty {decision_no!r} from authority {authority}",
                           field="decision_no") from None

    def revoke_penalty(
        self, *, authority: str, actor: str, decision_no: str, revoked_on: date, reason: str,
        today: date,
    ) -> int:
        check_not_future(today, revoked_on=revoked_on)
        if ev.key(authority, decision_no) not in self.penalties:
            # Keyed by its authority: a revocation is always the deciding authority's own.
            for owner in (k.split("|", 1)[0] for k, p in self.penalties.items()
                          if p["data"]["decision_no"] == decision_no):
                raise NotOwner(f"penalty {decision_no!r} belongs to authority {owner}: only "
                               "that authority may revoke it", owner=owner)
        if self.penalty(authority, decision_no)["status"] == "revoked":
            raise WrongState(f"penalty {decision_no!r} is already revoked")
        data = {"decision_no": decision_no, "revoked_on": revoked_on.isoformat(), "reason": reason}
        return self._record(ev.PenaltyRevoked, authority=authority, actor=actor,
                            occurred_on=revoked_on, data=data)

    def end_penalty_publicity(
        self, *, penalty_authority: str, decision_no: str, ended_on: date, reason: str,
        authority: str, actor: str,
    ) -> int:
        if self.penalty(penalty_authority, decision_no)["status"] != "public":
            raise WrongState(f"penalty {decision_no!r} is no longer publicly shown")
        data = {"penalty_authority": penalty_authority, "decision_no": decision_no,
                "ended_on": ended_on.isoformat(), "reason": reason}
        return self._record(ev.PenaltyPublicityEnded, authority=authority, actor=actor,
                            occurred_on=ended_on, data=data)

    # -- lists ----------------------------------------------------------------

    def active_listings(self, list_name: str | None = None, on: date | None = None
                        ) -> dict[str, dict[str, Any]]:
        """Listings not removed; given a day, only those shown then (not expired by then)."""
        day = on.isoformat() if on else None
        return {
            lid: listing for lid, listing in self.listings.items()
            if listing["active"] and list_name in (None, listing["data"]["list"])
            and (day is None or still_open(day, None, listing["data"].get("expires_on")))
        }

    def put_on_list(
        self, *, authority: str, actor: str, list_name: str, domain: str, basis: str,
        notified_on: date, listed_on: date, expires_on: date | None, removal_conditions: str,
        today: date, policy: RepairPolicy, calendar: WorkingCalendar,
    ) -> tuple[int, str]:
        check_not_future(today, notified_on=notified_on, listed_on=listed_on)
        if notified_on > listed_on:
            raise DateRuleViolation(
                f"notified_on {notified_on} must be on or before listed_on {listed_on}: "
                "listing requires prior notice to the subject", field="notified_on")
        if expires_on is not None and expires_on <= listed_on:
            raise DateRuleViolation(f"expires_on {expires_on} must be after listed_on "
                                    f"{listed_on}", field="expires_on")
        listing_id = uuid5_text(self.id.bytes, f"{authority}|{list_name}|{domain}|{listed_on}")
        # A resubmission of a recorded listing is answered by _record_once (idempotent),
        # whatever happened since and whatever the policy says now; the rules below are about
        # new listings.
        new = f"listing|{listing_id}" not in self.recorded_by
        if new:
            check_notice(notified_on, listed_on, policy.listing_notice_days, calendar)
            check_period(policy, list_name, domain, listed_on, expires_on)
            check_one_listing(self.code, self.active_listings(list_name), domain, listed_on,
                              expires_on)
        if list_name == ListName.RED and new and (
            self.active_listings(ListName.BLACK, listed_on)
            or self.active_listings(ListName.KEY_ATTENTION, listed_on)
        ):
            raise RuleViolation("a subject on the black or key-attention list cannot be "
                                "red-listed", field="list")
        data = {
            "listing_id": listing_id, "list": list_name, "domain": domain, "basis": basis,
            "notified_on": notified_on.isoformat(), "listed_on": listed_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
            "removal_conditions": removal_conditions,
        }
        version = self._record_once(f"listing|{listing_id}", ev.Listed, authority=authority,
                                    actor=actor, occurred_on=listed_on, data=data)
        if list_name != ListName.RED and version == self.version:
            # A black or key-attention listing ends any red listing in the same save.
            for red_id in self.active_listings(ListName.RED, listed_on):
                self._delist(red_id, authority=authority, actor=actor, delisted_on=listed_on,
                             reason="revoked", note=f"superseded by {list_name} listing")
        return version, listing_id

    def remove_from_list(
        self, *, listing_id: str, authority: str, actor: str, delisted_on: date, reason: str,
        today: date, any_authority: bool = False,
    ) -> int:
        check_not_future(today, delisted_on=delisted_on)
        listing = self.listings.get(listing_id)
        if listing is None:
            raise NotFound(f"subject {self.code} has no listing {listing_id}", field="listing_id")
        check_owner(f"listing {listing_id}", listing["authority"], authority, "remove it",
                    any_authority=any_authority)
        if not listing["active"]:
            raise NotListed(f"listing {listing_id} was already removed "
                            f"({listing['delisted_reason']})", field="listing_id")
        if reason == DelistReason.REPAIRED:
            raise RepairOnly("a listing leaves with reason 'repaired' only through an approved "
                             "credit-repair case, whose approval records the removal "
                             "(POST /v1/repairs, then approve)", field="reason")
        if delisted_on < date.fromisoformat(listing["data"]["listed_on"]):
            raise DateRuleViolation("delisted_on is before listed_on", field="delisted_on")
        return self._delist(listing_id, authority=authority, actor=actor,
                            delisted_on=delisted_on, reason=reason)

    def delist_by_repair(self, *, listing_id: str, case_id: str, delisted_on: date,
                         authority: str, actor: str) -> int:
        """The removal an approved repair case records, in the same save as the approval (the
        case has checked the listing is still shown and the dates)."""
        if not self.listings[listing_id]["active"]:
            raise NotListed(f"listing {listing_id} was already removed", field="listing_id")
        return self._delist(listing_id, authority=authority, actor=actor,
                            delisted_on=delisted_on, reason=DelistReason.REPAIRED.value,
                            note=f"repair case {case_id}")

    def _delist(self, listing_id: str, *, authority: str, actor: str, delisted_on: date,
                reason: str, note: str | None = None) -> int:
        listing = self.listings[listing_id]["data"]
        data = {"listing_id": listing_id, "list": listing["list"], "domain": listing["domain"],
                "delisted_on": delisted_on.isoformat(), "reason": reason, "note": note}
        return self._record(ev.Delisted, authority=authority, actor=actor,
                            occurred_on=delisted_on, data=data)

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
        data = {"commitment_id": cid, "type": commitment_type, "made_on": made_on.isoformat(),
                "content": content, "due_on": due_on.isoformat() if due_on else None,
                "commitment_no": commitment_no}
        version = self._record_once(f"commitment|{cid}", ev.CommitmentMade, authority=authority,
                                    actor=actor, occurred_on=made_on, data=data)
        return version, cid

    def settle_commitment(
        self, *, commitment_id: str, kept: bool, on: date, note: str, authority: str, actor: str,
        today: date, any_authority: bool = False,
    ) -> int:
        check_not_future(today, on=on)
        commitment = self.commitments.get(commitment_id)
        if commitment is None:
            raise NotFound(f"subject {self.code} has no commitment {commitment_id}",
                           field="commitment_id")
        check_owner(f"commitment {commitment_id}", commitment["authority"], authority,
                    "record whether it was kept", any_authority=any_authority)
        if commitment["status"] != "made":
            raise WrongState(f"commitment {commitment_id} is already {commitment['status']}")
        cls = ev.CommitmentFulfilled if kept else ev.CommitmentBreached
        data = {"commitment_id": commitment_id, "on": on.isoformat(), "note": note}
        return self._record(cls, authority=authority, actor=actor, occurred_on=on, data=data)

    def has_unrepaired_dishonesty(self, on: date | None = None) -> bool:
        return bool(self.active_listings(ListName.BLACK, on)) or bool(
            self.active_listings(ListName.KEY_ATTENTION, on))
