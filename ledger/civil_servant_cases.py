"""The use cases of civil servants' integrity files: register, record, read (plan §9).

The caller (the API, the importer) turns the ID number into the person's pseudonym and the
name into its keyed digest (`name_digest`); here the name goes to its side table
(ledger/store/civil_names.py) and the facts, without it, into the chain.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from ledger.contracts.integrity import CivilServantRecordIn
from ledger.core import By, Decision, LedgerCore, Receipt
from ledger.domain.civil_servant import CivilServant, civil_servant_stream
from ledger.domain.errors import AlreadyExists, RuleViolation
from ledger.domain.subject_integrity import NotGovernment
from ledger.domain.vocabulary import GOVERNMENT_KINDS
from ledger.store.civil_names import CivilServantNames


def name_digest(key: bytes, pseudonym: str, name: str) -> str:
    """The keyed digest of a civil servant's name: verifiable by whoever holds the key, not
    reversible by trying the few thousand common names (which a plain hash would be)."""
    message = f"civil-servant-name|{pseudonym}|{name}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CivilServantRegistration:
    """A civil servant to register, the ID number already turned into its pseudonym."""

    pseudonym: str
    name: str
    masked: str
    name_digest: str
    organisation: str
    post: str
    registered_on: date | None = None


@dataclass(frozen=True)
class CivilServantFile:
    """A file as its readers see it: the aggregate, and the name its digest vouches for."""

    servant: CivilServant
    name: str | None
    masked: str | None


class CivilServantCases(LedgerCore):
    """Civil servants' integrity files, kept by the organisation department."""

    @cached_property
    def civil_names(self) -> CivilServantNames:
        return CivilServantNames(self.recorder)

    def register_civil_servant(self, reg: CivilServantRegistration, by: By) -> Receipt:
        """Register a civil servant; the same registration again answers with the first."""
        self._check_organisation(reg.organisation)
        # The name first: no event may exist whose name is missing. A row left by a save that
        # then failed is never shown: readers take the name whose digest the chain holds.
        self.civil_names.put(reg.pseudonym, reg.name_digest, reg.name, reg.masked)

        def decide() -> Decision[CivilServant]:
            stream = civil_servant_stream(reg.pseudonym)
            if stream not in self.repository:
                return Decision(CivilServant.register(
                    pseudonym=reg.pseudonym, organisation=reg.organisation, post=reg.post,
                    registered_on=reg.registered_on or self.clock(),
                    name_digest=reg.name_digest, today=self.clock(), authority=by.authority,
                    actor=by.actor))
            existing = self.civil_servant(reg.pseudonym)
            if not existing.same_registration(reg.organisation, reg.post, reg.name_digest):
                raise AlreadyExists("this civil servant is already registered with another "
                                    "name, organisation or post", field="id_number")
            return Decision(existing, 1)

        return self._decide("civil servant", decide)[0]

    def record_on_civil_servant(self, pseudonym: str, cmd: CivilServantRecordIn, by: By
                                ) -> Receipt:
        """Add a commendation, sanction, dishonesty or integrity commitment to a file."""
        def decide() -> Decision[CivilServant]:
            servant = self.civil_servant(pseudonym)
            version, record_id = servant.record(
                kind=cmd.kind.value, on=cmd.on, basis=cmd.basis, decided_by=cmd.authority,
                document_no=cmd.document_no, content=cmd.content, today=self.clock(),
                authority=by.authority, actor=by.actor)
            return Decision(servant, version, extra={"record_id": record_id})

        return self._decide("civil servant", decide)[0]

    def civil_servant(self, pseudonym: str) -> CivilServant:
        return self._get(CivilServant, civil_servant_stream(pseudonym), "civil servant")

    def civil_servant_file(self, pseudonym: str) -> CivilServantFile:
        servant = self.civil_servant(pseudonym)
        name, masked = self.civil_names.get([(pseudonym, servant.name_digest)]).get(
            pseudonym, (None, None))
        return CivilServantFile(servant, name, masked)

    def civil_servant_names(self, pairs: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """(name, masked) by pseudonym, for (pseudonym, name digest) pairs."""
        return self.civil_names.get(pairs)

    def _check_organisation(self, code: str) -> None:
        if not self.has_subject(code):
            raise RuleViolation(f"organisation {code} is not a registered subject: register "
                                "the body first", field="organisation")
        kind = self.subject(code).kind
        if kind not in GOVERNMENT_KINDS:
            raise NotGovernment(f"civil servants serve in a government body or a public "
                                f"institution; organisation {code} is a {kind}",
                                field="organisation")

