"""The CivilServant aggregate: one civil servant's integrity file (公务员诚信档案, plan §9).

Its stream is keyed by the person's pseudonym (the same HMAC that stands for a natural person
subject), so the file can be read beside what the ledger holds about the same person. No
event carries a name or an ID number: the name lives in a side table readable by the
personnel and audit roles only, and the registration carries a keyed digest of it, which binds
that name to the chain without disclosing it (docs/adr/027).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.domain.aggregate import LedgerAggregate
from ledger.domain.dates import check_not_future
from ledger.domain.errors import Conflict
from ledger.domain.events import LedgerCreated, LedgerEvent, stream_id, uuid5_text
from ledger.domain.payload import Field
from ledger.domain.vocabulary import CivilServantRecordKind


def civil_servant_stream(pseudonym: str) -> UUID:
    return stream_id("civil-servant", pseudonym)


class CivilServantRegistered(LedgerCreated):
    civil_servant = Field(str)  # the person's pseudonym
    organisation = Field(str)  # the USCC of the body that employs them
    post = Field(str)
    registered_on = Field(date)
    name_digest = Field(str)  # HMAC-SHA256 of the name under the pseudonym key

    def evolve(self, c: Any) -> None:
        c.civil_servant, c.organisation, c.post = self.civil_servant, self.organisation, self.post
        c.registered_on, c.name_digest = self.data["registered_on"], self.name_digest


class CivilServantRecorded(LedgerEvent):
    """One entry of the file. `decided_by` is the body that decided it (the request's
    `authority`); the envelope's authority is the department that recorded it."""

    record_id = Field(str)
    kind = Field(CivilServantRecordKind)
    on = Field(date)
    basis = Field(str)
    decided_by = Field(str)
    document_no = Field(str, optional=True)
    content = Field(str, optional=True)

    def evolve(self, c: Any) -> None:
        c.records[self.record_id] = {"data": self.data, "authority": self.authority,
                                     "version": self.originator_version}


class CivilServant(LedgerAggregate):
    """A civil servant's integrity file: where they serve, and what is recorded of them."""

    civil_servant: str
    organisation: str
    post: str
    registered_on: str
    name_digest: str

    def __init__(self) -> None:
        super().__init__()  # CivilServantRegistered fills in the rest
        self.records: dict[str, dict[str, Any]] = {}

    def envelope_subject(self) -> str:
        return self.civil_servant

    @classmethod
    def register(cls, *, pseudonym: str, organisation: str, post: str, registered_on: date,
                 name_digest: str, authority: str, actor: str, today: date) -> CivilServant:
        check_not_future(today, registered_on=registered_on)
        return cls._start(CivilServantRegistered, civil_servant_stream(pseudonym),
                          subject=pseudonym, on=registered_on, authority=authority, actor=actor,
                          civil_servant=pseudonym, organisation=organisation, post=post,
                          registered_on=registered_on, name_digest=name_digest)

    def same_registration(self, organisation: str, post: str, name_digest: str) -> bool:
        return (self.organisation, self.post, self.name_digest) == (organisation, post,
                                                                      name_digest)

    def record(self, *, kind: str, on: date, basis: str, decided_by: str,
               document_no: str | None, content: str | None, authority: str, actor: str,
               today: date) -> tuple[int, str]:
        """Add an entry; the same entry again (same kind, day, decider and basis) is a no-op."""
        check_not_future(today, on=on)
        record_id = uuid5_text(self.id.bytes, f"{kind}|{on}|{decided_by}|{basis}")
        data = CivilServantRecorded.data_of(
            record_id=record_id, kind=kind, on=on, basis=basis, decided_by=decided_by,
            document_no=document_no, content=content)
        found = self.records.get(record_id)
        if found is not None:
            if found["data"] != data:
                raise Conflict(f"record {record_id} was already made with other details",
                               field="kind")
            return self._version_of(record_id), record_id
        return self._record_data(CivilServantRecorded, on, authority, actor, data), record_id

    def _version_of(self, record_id: str) -> int:
        return int(self.records[record_id]["version"])
