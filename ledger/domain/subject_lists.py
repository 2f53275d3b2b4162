"""A subject's state and its list rules: on the red, black and key-attention lists, and off.

`SubjectState` holds what every fact about a subject changes, and records a fact once per
identity (a resubmission is a no-op); `SubjectLists` adds listing and removal. `Subject`
(`ledger/domain/subject.py`) adds the rest.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain import subject_events as ev
from ledger.domain.aggregate import LedgerAggregate
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.dates import check_not_future
from ledger.domain.errors import (
    Conflict,
    DateRuleViolation,
    Deregistered,
    NotFound,
    NotListed,
    RuleViolation,
)
from ledger.domain.events import LedgerEvent, uuid5_text
from ledger.domain.listing_rules import RepairOnly, check_notice, check_one_listing, check_period
from ledger.domain.ownership import check_owner
from ledger.domain.repair import RepairPolicy
from ledger.domain.visibility import still_open
from ledger.domain.vocabulary import DelistReason, ListName

# Where a conflicting resubmission is pointed: what is recorded changes only by a new event.
CORRECT_BY = {
    "permit": "; to change it, POST /v1/subjects/{code}/permits/{decision_no}/correction (or "
              "/revocation), the decision number URL-encoded",
    "penalty": "; to change it, POST /v1/subjects/{code}/penalties/{decision_no}/correction "
               "(or /revocation), the decision number URL-encoded",
    "revocation": ": a record is revoked once",
    "deregistration": ": a subject is deregistered once",
}
# New records that a deregistered (注销) subject no longer takes when they are dated after its
# deregistration, by the field that dates them. One dated before it is still recorded: a
# decision published after the subject was wound up is history like any other.
AFTER_DEREGISTRATION = {"permit": ("a permit", "decided_on"),
                        "penalty": ("a penalty", "decided_on"),
                        "commitment": ("a commitment", "made_on"),
                        "listing": ("a listing", "listed_on")}


class SubjectState(LedgerAggregate):
    """What is recorded about one subject, keyed for the rules and for idempotency."""

    code: str
    name: str
    kind: str
    masked: str | None
    recorded_by: dict[str, tuple[int, dict[str, Any]]]  # record key -> (version, data)
    permits: dict[str, dict[str, Any]]  # authority|decision_no -> data and PermitStatus
    penalties: dict[str, dict[str, Any]]  # authority|decision_no -> data and PenaltyStatus
    listings: dict[str, dict[str, Any]]  # listing_id -> data, authority, active
    commitments: dict[str, dict[str, Any]]  # commitment_id -> data, authority, status
    principals: dict[str, dict[str, Any]]  # role|principal -> data
    registrar: str  # the authority that registered it: it may rename or deregister it
    registered_name: str
    former_names: list[dict[str, str]]  # {name, until}, oldest first (SubjectRenamed)
    deregistered: dict[str, str] | None  # {on, reason} (SubjectDeregistered)
    profession: str | None = None  # a professional's legal profession, if registered with one

    def __init__(self) -> None:
        super().__init__()  # SubjectRegistered fills in the identity
        self.recorded_by, self.permits, self.penalties = {}, {}, {}
        self.listings, self.commitments, self.principals = {}, {}, {}
        self.former_names, self.deregistered = [], None

    def envelope_subject(self) -> str:
        return self.code

    def _owned_entry(self, what: str, records: dict[str, dict[str, Any]], record_id: str,
                     field: str, authority: str, action: str, any_authority: bool
                     ) -> dict[str, Any]:
        """A record by its id, once the caller may do `action` on it (its owner, or an admin)."""
        entry = records.get(record_id)
        if entry is None:
            raise NotFound(f"subject {self.code} has no {what} {record_id}", field=field)
        check_owner(f"{what} {record_id}", entry["authority"], authority, action,
                    any_authority=any_authority)
        return entry

    def _record_once(self, record_key: str, event_class: type[LedgerEvent], on: date,
                     authority: str, actor: str, extra: dict[str, Any] | None = None, /,
                     **payload: Any) -> int:
        """Idempotent by record key: the same content again is a no-op, other content a conflict."""
        data = event_class.data_of(extra, **payload)
        if record_key in self.recorded_by:
            version, existing = self.recorded_by[record_key]
            if existing == data:
                return version
            what = record_key.split("|", 1)
            raise Conflict(
                f"{what[0]} {what[-1]!r} was already recorded with different content "
                f"(version {version}){CORRECT_BY.get(what[0], '')}",
                field="decision_no" if what[0] in ("permit", "penalty") else None,
            )
        self._check_still_registered(record_key.split("|", 1)[0], on)
        return self._record_data(event_class, on, authority, actor, data)

    def _check_still_registered(self, kind: str, on: date) -> None:
        if self.deregistered is None or kind not in AFTER_DEREGISTRATION:
            return
        gone = str(self.deregistered["on"])
        if on.isoformat() > gone:
            what, field = AFTER_DEREGISTRATION[kind]
            raise Deregistered(f"subject {self.code} was deregistered on {gone}: {what} dated "
                               f"{on.isoformat()}, after that, is not recorded (one dated on "
                               "or before it is)", field=field)


class SubjectLists(SubjectState):
    """Listing rules: prior notice, bounded periods, one listing per list and domain."""

    def __init__(self) -> None:  # its own, or the library makes one from the annotations
        super().__init__()

    def active_listings(self, list_name: str | None = None, on: date | None = None
                        ) -> dict[str, dict[str, Any]]:
        """Listings not removed; given a day, only those shown then (not expired by then)."""
        day = on.isoformat() if on else None
        return {
            lid: listing for lid, listing in self.listings.items()
            if listing["active"] and list_name in (None, listing["data"]["list"])
            and (day is None or still_open(day, None, listing["data"].get("expires_on")))
        }

    def has_unrepaired_dishonesty(self, on: date | None = None) -> bool:
        return bool(self.active_listings(ListName.BLACK, on)) or bool(
            self.active_listings(ListName.KEY_ATTENTION, on))

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
        version = self._record_once(
            f"listing|{listing_id}", ev.Listed, listed_on, authority, actor,
            listing_id=listing_id, list=list_name, domain=domain, basis=basis,
            notified_on=notified_on, listed_on=listed_on, expires_on=expires_on,
            removal_conditions=removal_conditions)
        if list_name != ListName.RED and version == self.version:
            # A black or key-attention listing ends any red listing in the same save.
            for red_id in self.active_listings(ListName.RED, listed_on):
                self._delist(red_id, authority=authority, actor=actor, delisted_on=listed_on,
                             reason=DelistReason.REVOKED,
                             note=f"superseded by {list_name} listing")
        return version, listing_id

    def remove_from_list(
        self, *, listing_id: str, authority: str, actor: str, delisted_on: date, reason: str,
        today: date, any_authority: bool = False,
    ) -> int:
        check_not_future(today, delisted_on=delisted_on)
        listing = self._owned_entry("listing", self.listings, listing_id, "listing_id",
                                    authority, "remove it", any_authority)
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
                            delisted_on=delisted_on, reason=DelistReason(reason))

    def delist_by_repair(self, *, listing_id: str, case_id: str, delisted_on: date,
                         authority: str, actor: str) -> int:
        """The removal an approved repair case records, in the same save as the approval (the
        case has checked the listing is still shown and the dates)."""
        if not self.listings[listing_id]["active"]:
            raise NotListed(f"listing {listing_id} was already removed", field="listing_id")
        return self._delist(listing_id, authority=authority, actor=actor,
                            delisted_on=delisted_on, reason=DelistReason.REPAIRED,
                            note=f"repair case {case_id}")

    def _delist(self, listing_id: str, *, authority: str, actor: str, delisted_on: date,
                reason: DelistReason, note: str | None = None) -> int:
        listing = self.listings[listing_id]["data"]
        return self._record(ev.Delisted, delisted_on, authority, actor, listing_id=listing_id,
                            list=listing["list"], domain=listing["domain"],
                            delisted_on=delisted_on, reason=reason, note=note)
