"""Credit checks (信用核查): which measures of a scenario apply to a subject today, and the
subject's check log, where each check is recorded so an auditor sees what was applied.

A measure applies when the subject is shown today on one of its lists (a listing of one of its
governance domains, if it names any; a subject of one of its kinds, if it names any). Its basis
is that listing (the earliest, if several match) and the memorandum it cites. An incentive
that requires no dishonesty (容缺受理, 绿色通道) is withheld while the subject has an
unrepaired dishonesty record by the catalogue's rule, and the answer says which records.

One check log per subject (docs/adr/023): its stream is found from the subject's code alone,
so the subject's audit history includes its checks; checks never write to the subject's own
stream, so they never contend with the facts departments record. Within one matter
(authority, scenario, matter number) the same outcome again records nothing, and a measure
counts once (`new_measures`), however often the matter is re-checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot

from ledger.domain.aggregate import LedgerAggregate
from ledger.domain.events import LedgerCreated, LedgerEvent, stream_id
from ledger.domain.payload import Field
from ledger.domain.scenarios import MeasureRule, Scenario, ScenarioCatalogue
from ledger.domain.visibility import shown_on
from ledger.domain.vocabulary import MeasureKind, PenaltyStatus, SubjectKind


def check_log_stream(code: str) -> UUID:
    """The one check log of a subject."""
    return stream_id("checks", code)


@dataclass
class Outcome:
    """What a check found: the measures applied, with their basis, and the incentives
    withheld, with the dishonesty records that withhold them (both in their wire form)."""

    applied: list[dict[str, Any]] = field(default_factory=list)
    withheld: list[dict[str, Any]] = field(default_factory=list)

    def signature(self) -> list[list[str]]:
        """What makes two outcomes the same answer to one matter."""
        return sorted([m["measure"], m["basis"]["listing_id"]] for m in self.applied) + sorted(
            [m["measure"], "withheld"] for m in self.withheld)


def shown_listings(subject: Any, today: date) -> list[dict[str, Any]]:
    """The subject's listings shown today, earliest first."""
    day = today.isoformat()
    found = [entry for entry in subject.listings.values() if entry["active"] and shown_on(
        day, entry["data"]["listed_on"], None, entry["data"].get("expires_on"))]
    return sorted(found, key=lambda e: (e["data"]["listed_on"], e["data"]["listing_id"]))


def dishonesty_records(subject: Any, catalogue: ScenarioCatalogue, today: date
                       ) -> list[dict[str, Any]]:
    """The unrepaired dishonesty records by the catalogue's rule: listings shown today on its
    lists, penalties of its severities still in their publicity window."""
    rule, day = catalogue.dishonesty, today.isoformat()
    records = [{"record": "listing", "id": e["data"]["listing_id"], "authority": e["authority"],
                "list": e["data"]["list"]} for e in shown_listings(subject, today)
               if e["data"]["list"] in rule.lists]
    for penalty_key, penalty in subject.penalties.items():
        data = penalty["data"]
        if (penalty["status"] == PenaltyStatus.PUBLIC and data["severity"] in
                rule.penalty_severities and shown_on(day, data["decided_on"], None,
                                                     data.get("publicity_max_until"))):
            records.append({"record": "penalty", "id": data["decision_no"],
                            "authority": penalty_key.split("|", 1)[0],
                            "severity": data["severity"]})
    return records


def _matches(rule: MeasureRule, listing: dict[str, Any], kind: str) -> bool:
    data = listing["data"]
    return (data["list"] in rule.lists
            and (not rule.listing_domains or data["domain"] in rule.listing_domains)
            and (not rule.subject_kinds or kind in rule.subject_kinds))


def measures_for(subject: Any, scenario: Scenario, catalogue: ScenarioCatalogue, today: date
                 ) -> Outcome:
    """The scenario's measures that apply to the subject today."""
    listings, outcome = shown_listings(subject, today), Outcome()
    dishonesty: list[dict[str, Any]] | None = None
    for rule in scenario.measures:
        basis = next((e for e in listings if _matches(rule, e, subject.kind)), None)
        if basis is None:
            continue
        entry = {"measure": rule.code, "kind": rule.kind.value, "text": rule.text,
                 "basis": {"list": basis["data"]["list"],
                           "listing_id": basis["data"]["listing_id"],
                           "domain": basis["data"]["domain"], "authority": basis["authority"],
                           "listed_on": basis["data"]["listed_on"],
                           "memorandum": rule.memorandum.public()}}
        if rule.kind == MeasureKind.INCENTIVE and rule.requires_no_dishonesty:
            if dishonesty is None:
                dishonesty = dishonesty_records(subject, catalogue, today)
            if dishonesty:
                outcome.withheld.append(entry | {"reason": "unrepaired_dishonesty",
                                                 "records": dishonesty})
                continue
        outcome.applied.append(entry)
    return outcome


class CheckLogOpened(LedgerCreated):
    """A subject's check log begins (in the same save as its first check)."""

    opened_on = Field(date)

    def evolve(self, c: Any) -> None:
        c.subject = self.subject


class CreditChecked(LedgerEvent):
    """An approval system checked the subject for a scenario: what applied, on what basis.

    The envelope's `authority` and `actor` are who asked; `subject` is about whom."""

    scenario = Field(str)
    scenario_name = Field(str)
    domain = Field(str)  # of joint rewards and punishments (the scenario's)
    matter_no = Field(str, omit_none=True)
    checked_on = Field(date)
    subject_kind = Field(SubjectKind)
    catalogue = Field(str)  # the catalogue's version: the rules the answer followed
    measures = Field(list)  # applied: measure, kind, text, basis
    withheld = Field(list)  # incentives withheld: as measures, with reason and records
    new_measures = Field(int)  # applied measures no earlier check of this matter applied

    def evolve(self, c: Any) -> None:
        # Only what a later check of the same matter needs, as JSON values: the state is
        # snapshotted (docs/adr/036), so it must stay small and survive a JSON round trip.
        if self.matter_no is not None:
            key = matter_key(self.authority, self.scenario, self.matter_no)
            outcome = Outcome(self.data["measures"], self.data["withheld"])
            counted = c.matters[key][2] if key in c.matters else []
            seen = {(m, listing) for m, listing in counted}
            counted = counted + [[m["measure"], m["basis"]["listing_id"]]
                                 for m in self.data["measures"]
                                 if (m["measure"], m["basis"]["listing_id"]) not in seen]
            c.matters[key] = [self.originator_version, outcome.signature(), counted]


def matter_key(authority: str, scenario: str, matter_no: str) -> str:
    return f"{authority}|{scenario}|{matter_no}"


class CheckLogSnapshot(Snapshot):
    """A check log's state at a version (docs/adr/036). Stored as JSON, which has no
    datetimes: the library's two timestamps of the aggregate come back as text, restored."""

    def mutate(self, _: None) -> Any:
        log = super().mutate(_)
        for name in ("_created_on", "_modified_on"):
            value = vars(log).get(name)
            if isinstance(value, str):
                vars(log)[name] = datetime.fromisoformat(value)
        return log


class CheckLog(LedgerAggregate):
    """Every credit check of one subject, in order. Its state is what deciding the next
    check needs, and no more: per matter, the version of its last check, that check's
    outcome signature and the measures counted; snapshotted, so a check reads a bounded tail
    of the log however long it grows (docs/adr/036)."""

    Snapshot = CheckLogSnapshot
    subject: str

    def __init__(self) -> None:
        super().__init__()
        # matter key -> [version of its last check, that outcome's signature, measures
        # counted as [measure, listing_id]]: lists, as a snapshot's JSON gives them back.
        self.matters: dict[str, list[Any]] = {}

    @classmethod
    def open(cls, *, subject: str, on: date, authority: str, actor: str) -> CheckLog:
        return cls._start(CheckLogOpened, check_log_stream(subject), subject=subject, on=on,
                          authority=authority, actor=actor, opened_on=on)

    def envelope_subject(self) -> str:
        return self.subject

    def record(self, *, scenario: Scenario, catalogue: str, matter_no: str | None,
               subject_kind: str, outcome: Outcome, on: date, authority: str, actor: str
               ) -> int:
        """Record the check; the same outcome for the same matter again records nothing and
        names the version that recorded it."""
        key = matter_key(authority, scenario.code, matter_no) if matter_no else None
        last_version, signature, counted = self.matters.get(key or "", (0, None, []))
        if signature == outcome.signature():
            return int(last_version)
        seen = {(m, listing) for m, listing in counted}
        new = sum((m["measure"], m["basis"]["listing_id"]) not in seen for m in outcome.applied)
        return self._record(CreditChecked, on, authority, actor, scenario=scenario.code,
                            scenario_name=scenario.name, domain=scenario.domain,
                            matter_no=matter_no, checked_on=on, subject_kind=subject_kind,
                            catalogue=catalogue, measures=outcome.applied,
                            withheld=outcome.withheld, new_measures=new)
