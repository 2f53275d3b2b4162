"""Joint rewards and punishments (联合奖惩): initiate → respond → feedback, per listing.

A listing on the red list triggers incentives, one on the black or key-attention list
punishments, in other departments' workflows. Each department responds with the measure it
applied; the case closes with feedback. A closed case with at least one measure is what the
plan counts as a valid joint case. Every event's data repeats the case's listing, list,
domain and kind, so a view counts cases per domain from one event alone.

Who may act (docs/adr/014): the listing's authority owns the case: it opens it and, as the
department that asked, takes the feedback and closes it; any department responds, with its
own measure only (measures are keyed by the responding authority). An admin may open or
close any case (it stays the listing authority's).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.domain.aggregate import LedgerAggregate
from ledger.domain.dates import check_not_future
from ledger.domain.errors import Conflict, DateRuleViolation, RuleViolation, WrongState
from ledger.domain.events import LedgerCreated, LedgerEvent, stream_id
from ledger.domain.ownership import check_owner
from ledger.domain.payload import Field
from ledger.domain.vocabulary import JointKind, JointStatus, ListName

KIND_OF_LIST = {ListName.RED: JointKind.INCENTIVE, ListName.BLACK: JointKind.PUNISHMENT,
                ListName.KEY_ATTENTION: JointKind.PUNISHMENT}


def joint_stream(subject: str, listing_id: str) -> UUID:
    """One joint case per listing."""
    return stream_id("joint", f"{subject}|{listing_id}")


class JointEvent(LedgerEvent):
    """The listing every joint-case event repeats."""

    case_id = Field(str)
    listing_id = Field(str)
    list = Field(ListName)
    domain = Field(str)
    kind = Field(JointKind)


class JointCaseInitiated(LedgerCreated, JointEvent):
    # Before docs/adr/014 any department could open a case: its opener stands as owner.
    listing_authority = Field(str, omit_none=True)
    initiated_on = Field(date)

    def evolve(self, c: Any) -> None:
        d = self.data
        c.subject, c.case_id, c.listing_id = self.subject, self.case_id, self.listing_id
        c.list_name, c.domain, c.kind = d["list"], d["domain"], d["kind"]
        c.initiated_on, c.last_on = d["initiated_on"], d["initiated_on"]
        c.status = JointStatus.OPEN
        c.owner = self.listing_authority or self.authority


class JointMeasureApplied(JointEvent):
    """A department applied its measure (a reward or a restriction) to the listed subject."""

    measure = Field(str)
    applied_on = Field(date)

    def evolve(self, c: Any) -> None:
        c.measures[self.authority] = self.measure
        c.answered[self.authority] = self.originator_version
        c.last_on = self.data["applied_on"]


class JointCaseClosed(JointEvent):
    """Feedback recorded: the case is closed and counts as a valid joint case."""

    feedback = Field(str)
    closed_on = Field(date)
    measures = Field(int)  # how many departments had responded

    def evolve(self, c: Any) -> None:
        c.status, c.closed_on = JointStatus.CLOSED, self.data["closed_on"]
        c.last_on = self.data["closed_on"]
        c.closed = (self.feedback, self.originator_version)


class JointCase(LedgerAggregate):
    """One listing's joint case: the departments' measures, then the closing feedback."""

    subject: str
    case_id: str
    listing_id: str
    list_name: str
    domain: str
    kind: str
    initiated_on: str
    owner: str  # the listing's authority, whoever (it, or an admin) opened the case
    status: JointStatus
    last_on: str

    def __init__(self) -> None:
        super().__init__()
        self.closed_on: str | None = None
        self.closed: tuple[str, int] | None = None  # the feedback, and the version closing
        self.measures: dict[str, str] = {}
        self.answered: dict[str, int] = {}  # department -> version of its measure

    @staticmethod
    def check_opener(listing: dict[str, Any], authority: str, any_authority: bool) -> None:
        """Only the listing's own authority (or an admin) starts joint measures on it."""
        check_owner(f"listing {listing['data']['listing_id']}", listing["authority"], authority,
                    "open its joint case", any_authority=any_authority)

    @classmethod
    def initiate(cls, *, subject: str, listing: dict[str, Any], on: date, authority: str,
                 actor: str, today: date, any_authority: bool = False) -> JointCase:
        """Open the case for an active listing, on or after its listing date."""
        cls.check_opener(listing, authority, any_authority)
        data = listing["data"]
        if not listing["active"]:
            raise RuleViolation(f"listing {data['listing_id']} is no longer active: joint "
                                "measures follow current listings only", field="listing_id")
        check_not_future(today, initiated_on=on)
        if on.isoformat() < data["listed_on"]:
            raise DateRuleViolation(f"initiated_on {on} is before the listing date "
                                    f"{data['listed_on']}", field="initiated_on")
        cid = joint_stream(subject, data["listing_id"])
        return cls._start(JointCaseInitiated, cid, subject=subject, on=on, authority=authority,
                          actor=actor, case_id=str(cid), listing_id=data["listing_id"],
                          listing_authority=listing["authority"], list=data["list"],
                          domain=data["domain"], kind=KIND_OF_LIST[ListName(data["list"])],
                          initiated_on=on)

    def respond(self, *, measure: str, on: date, authority: str, actor: str, today: date
                ) -> int:
        """Record one department's measure; the same answer again (even once the case is
        closed) records nothing and names the version that recorded it."""
        if authority in self.measures:
            if self.measures[authority] == measure:
                return self.answered[authority]
            raise Conflict(f"department {authority} already responded to case {self.case_id} "
                           f"with another measure", field="measure")
        self._check_open("respond to")
        self._check_date(today, applied_on=on)
        return self._step(JointMeasureApplied, on, authority, actor, measure=measure,
                          applied_on=on)

    def close(self, *, feedback: str, on: date, authority: str, actor: str, today: date,
              any_authority: bool = False) -> int:
        """Close with feedback, once some department has responded; the same feedback again
        records nothing and names the version that closed the case. Only the listing's authority
        (or an admin) closes: the feedback answers the department that asked."""
        check_owner(f"joint case {self.case_id}", self.owner, authority, "close it",
                    any_authority=any_authority)
        if self.closed is not None and self.closed[0] == feedback:
            return self.closed[1]
        self._check_open("close")
        if not self.measures:
            raise RuleViolation(f"case {self.case_id} has no measure yet: a joint case closes "
                                "with the measures departments applied", field="feedback")
        self._check_date(today, closed_on=on)
        return self._step(JointCaseClosed, on, authority, actor, feedback=feedback,
                          closed_on=on, measures=len(self.measures))

    def public(self) -> dict[str, Any]:
        return {"id": self.case_id, "subject": self.subject, "listing_id": self.listing_id,
                "list": self.list_name, "domain": self.domain, "kind": self.kind,
                "status": self.status.value, "initiated_on": self.initiated_on,
                "closed_on": self.closed_on,
                "measures": [{"authority": a, "measure": m} for a, m in self.measures.items()]}

    def _check_open(self, action: str) -> None:
        if self.status != JointStatus.OPEN:
            raise WrongState(f"cannot {action} joint case {self.case_id}: it is {self.status}")

    def _check_date(self, today: date, **dates: date) -> None:
        check_not_future(today, **dates)
        for name, value in dates.items():
            if value.isoformat() < self.last_on:
                raise DateRuleViolation(f"{name} {value} is before {self.last_on}, the case's "
                                        "last step", field=name)

    def envelope_subject(self) -> str:
        return self.subject

    def _step(self, event_class: type[LedgerEvent], on: date, authority: str, actor: str,
              **payload: Any) -> int:
        """Record a step; its data repeats the case's listing."""
        return self._record(event_class, on, authority, actor, case_id=self.case_id,
                            listing_id=self.listing_id, list=self.list_name,
                            domain=self.domain, kind=self.kind, **payload)
