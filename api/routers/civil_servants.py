"""Civil servants' integrity files (公务员诚信档案): kept by the organisation department (role
`personnel`), read by it and by auditors only: never public, never on the portal."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from api.auth import Caller
from api.deps import LedgerDep, Personnel, PersonnelOrAuditor, SettingsDep
from api.errors import CodeFieldError
from api.integrity_schemas import (
    CivilServantFileOut,
    CivilServantReceipt,
    CivilServantRecordOut,
    CivilServantsPage,
    CivilServantSummary,
    Penetration,
)
from api.readiness import ViewsDep
from api.recording import REPLAYED, answer, by
from ledger.application import CreditLedger
from ledger.civil_servant_cases import CivilServantRegistration, name_digest
from ledger.contracts.fields import IsoDate
from ledger.contracts.integrity import CivilServantIn, CivilServantRecordIn
from ledger.domain.civil_servant import CivilServant
from ledger.domain.errors import NotFound
from ledger.domain.labels import label
from ledger.domain.resident_id import mask, pseudonym, validate_resident_id
from ledger.domain.uscc import CodeError, validate_uscc
from ledger.domain.vocabulary import CivilServantRecordKind
from ledger.identity import PSEUDONYM_PREFIX, path_code
from projections import profile_sql
from projections.views import integrity

router = APIRouter(prefix="/v1/civil-servants", tags=["personnel"])

# 穿透 uses two sections of the profile statement; it asks for those alone.
PENETRATION = ("lists", "led_organisations")

AsOf = Annotated[IsoDate | None, Query(description="Read the file as of this day (default "
                                                   "today).")]


def personnel_recorder(caller: Personnel) -> Caller:
    """The organisation department, under the authority its token names."""
    if not caller.authority:
        raise HTTPException(403, "this token names no authority to record under")
    return caller


Keeper = Annotated[Caller, Depends(personnel_recorder)]


@router.post("", status_code=201, response_model=CivilServantReceipt, responses=REPLAYED)
def register_civil_servant(body: CivilServantIn, caller: Keeper, ledger: LedgerDep,
                           settings: SettingsDep, response: Response) -> CivilServantReceipt:
    """Open a civil servant's file under their pseudonym (the ID number is never stored)."""
    try:
        number = validate_resident_id(body.id_number)
    except CodeError as e:
        raise CodeFieldError("id_number", e) from None
    try:
        organisation = validate_uscc(body.organisation)
    except CodeError as e:
        raise CodeFieldError("organisation", e) from None
    key = settings.pseudonym_key.get_secret_value().encode()
    pid, masked = pseudonym(number, key), mask(number)
    receipt = ledger.register_civil_servant(CivilServantRegistration(
        pid, body.name, masked, name_digest(key, pid, body.name), organisation, body.post,
        body.registered_on), by(caller))
    return answer(response, receipt, CivilServantReceipt, subject=pid, id=pid, masked=masked)


@router.post("/{servant_id}/records", status_code=201, response_model=CivilServantReceipt,
             responses=REPLAYED)
def record_on_civil_servant(servant_id: str, body: CivilServantRecordIn, caller: Keeper,
                            ledger: LedgerDep, response: Response) -> CivilServantReceipt:
    """Add a commendation, sanction, dishonesty or integrity commitment to a file."""
    pid = _pseudonym(servant_id)
    receipt = ledger.record_on_civil_servant(pid, body, by(caller))
    return answer(response, receipt, CivilServantReceipt, subject=pid, id=pid, **receipt.extra)


@router.get("/{servant_id}", response_model=CivilServantFileOut)
def civil_servant_file(servant_id: str, _: PersonnelOrAuditor, ledger: LedgerDep,
                       views: ViewsDep, as_of: AsOf = None) -> CivilServantFileOut:
    """A civil servant's file, with what the ledger holds against the same person (穿透)."""
    found = ledger.civil_servant_file(_pseudonym(servant_id))
    servant, day = found.servant, as_of or ledger.clock()
    with views.reader() as tx:
        held = profile_sql.read(tx, servant.civil_servant, day.isoformat(), PENETRATION)
    listings = [m for m in held["lists"] if m["list"] in profile_sql.DISHONEST_LISTS]
    led = held["led_organisations"]
    dishonest = [o for o in led if o["dishonest_listings"]]
    return CivilServantFileOut(
        id=servant.civil_servant, name=found.name, masked=found.masked,
        organisation=servant.organisation,
        organisation_name=_name_of(ledger, servant.organisation), post=servant.post,
        registered_on=date.fromisoformat(servant.registered_on), as_of=day,
        records=records_of(servant, day),
        penetration=Penetration(flagged=bool(listings or dishonest), listings=listings,
                                dishonest_organisations=dishonest, led_organisations=led))


@router.get("", response_model=CivilServantsPage)
def civil_servants(
    _: PersonnelOrAuditor, ledger: LedgerDep, views: ViewsDep,
    organisation: Annotated[str | None, Query(min_length=1, max_length=64,
                                              description="The employing body's USCC.")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CivilServantsPage:
    """Civil servants' files, by organisation, with their entries counted per kind."""
    with views.reader() as tx:
        items, total = integrity.VIEW.servants(
            tx, organisation.strip().upper() if organisation else None, page, page_size)
    names = ledger.civil_servant_names([(i["id"], i["name_digest"]) for i in items])
    return CivilServantsPage(page=page, page_size=page_size, total=total, items=[
        CivilServantSummary(id=i["id"], name=names.get(i["id"], (None, None))[0],
                            organisation=i["organisation"], post=i["post"],
                            registered_on=i["registered_on"], records=i["records"])
        for i in items])


def records_of(servant: CivilServant, day: date) -> list[CivilServantRecordOut]:
    out = []
    for entry in servant.records.values():
        d: dict[str, Any] = entry["data"]
        if d["on"] > day.isoformat():
            continue
        out.append(CivilServantRecordOut(
            record_id=d["record_id"], kind=d["kind"],
            kind_label=label(d["kind"], CivilServantRecordKind), on=d["on"], basis=d["basis"],
            authority=d["decided_by"], document_no=d.get("document_no"),
            content=d.get("content"), recorded_by=entry["authority"]))
    return sorted(out, key=lambda r: (r.on, r.record_id))


def _pseudonym(raw: str) -> str:
    """A file is addressed by pseudonym only; anything else is not echoed (it may be a number)."""
    pid = path_code(raw)
    if not pid.startswith(PSEUDONYM_PREFIX):
        raise NotFound("no civil servant with this id: address a file by the pseudonym its "
                       "registration returned (p-...)", field="id")
    return pid


def _name_of(ledger: CreditLedger, code: str) -> str | None:
    return ledger.subject(code).name if ledger.has_subject(code) else None
