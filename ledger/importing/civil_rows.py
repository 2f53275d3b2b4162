"""A civil servant's row: the registration (ID number and name, pseudonymised and digested
here) or an entry of their file (ledger/importing/civil.py decides them after the subjects)."""

from __future__ import annotations

from typing import Any

from ledger.civil_servant_cases import CivilServantRegistration, name_digest
from ledger.contracts.integrity import CivilServantIn, CivilServantRecordIn
from ledger.domain.resident_id import mask, pseudonym, validate_resident_id
from ledger.domain.uscc import CodeError, validate_uscc
from ledger.identity import PSEUDONYM_PREFIX
from ledger.importing.row_parts import Row, RowError, person_or_code, validate


def civil_row(record: str, fields: dict[str, Any], line: int, authority: str, key: bytes
              ) -> Row:
    """A civil servant's registration (with the ID number and name) or an entry of their file;
    the row's subject is the person's pseudonym (ledger/importing/civil.py applies it)."""
    if record == "civil_servant_record":
        pid = person_or_code(fields.pop("civil_servant", None), key, "civil_servant")
        if not pid.startswith(PSEUDONYM_PREFIX):
            raise RowError([("civil_servant", "a civil servant's resident ID or pseudonym")])
        # In a file `authority` is who records (as on every row); who decided is `decided_by`.
        fields["authority"] = fields.pop("decided_by", None)
        return Row(line, record, authority, pid, body=validate(CivilServantRecordIn, fields))
    body = validate(CivilServantIn, fields)
    assert isinstance(body, CivilServantIn)
    try:
        number = validate_resident_id(body.id_number)
    except CodeError as e:  # the ID rule's message, never the digits
        raise RowError([("id_number", str(e))]) from None
    try:
        organisation = validate_uscc(body.organisation)
    except CodeError as e:
        raise RowError([("organisation", str(e))]) from None
    pid = pseudonym(number, key)
    reg = CivilServantRegistration(pid, body.name, mask(number), name_digest(key, pid, body.name),
                                   organisation, body.post, body.registered_on)
    return Row(line, record, authority, pid, outcome={"registration": reg})
