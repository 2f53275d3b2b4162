"""Credit checks for approval systems (信用核查): what applies to a subject for a matter.

A department's approval system (a provider token) asks before it decides; the answer lists
the joint reward/punishment measures of the scenario that apply today, each with its basis,
and is recorded in the subject's check log (CreditChecked), so an auditor can see that a
restriction was applied (docs/checks.md, docs/adr/023). The scenarios are a catalogue shipped
as data (LEDGER_SCENARIOS_FILE), listed publicly by GET /v1/scenarios.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from api.deps import LedgerDep, SettingsDep
from api.errors import CodeFieldError
from api.recording import REPLAYED, Recorder, answer, by
from api.schemas import WriteReceipt
from ledger.application import CreditLedger
from ledger.contracts.checks import CheckIn
from ledger.domain.errors import NotFound
from ledger.domain.resident_id import id_shaped
from ledger.domain.uscc import CodeError
from ledger.identity import path_code, principal_code

router = APIRouter(tags=["credit checks"])


class Memorandum(BaseModel):
    code: str
    title: str
    number: str | None = Field(description="发文字号; null where the catalogue has not "
                                           "verified it")


class Basis(BaseModel):
    list: str = Field(description="red, black or key_attention")
    listing_id: str
    domain: str = Field(description="the listing's governance domain")
    authority: str = Field(description="the listing authority's USCC")
    listed_on: str
    memorandum: Memorandum


class Record(BaseModel):
    record: str = Field(description="listing or penalty")
    id: str = Field(description="the listing id, or the penalty's decision number")
    authority: str
    list: str | None = None
    severity: str | None = None


class AppliedMeasure(BaseModel):
    measure: str = Field(description="the measure's code in its scenario")
    kind: str = Field(description="restrict or incentive")
    text: str
    basis: Basis


class WithheldMeasure(AppliedMeasure):
    reason: str = Field(description="unrepaired_dishonesty")
    records: list[Record]


class CheckReceipt(WriteReceipt):
    """What applies now, and where the check is recorded (the subject's check log)."""

    masked: str | None = Field(None, description="a person checked by ID number: masked")
    scenario: str
    scenario_name: str
    domain: str = Field(description="the scenario's domain of joint rewards and punishments")
    matter_no: str | None = None
    checked_on: str
    catalogue: str = Field(description="the version of the scenario catalogue applied")
    measures: list[AppliedMeasure]
    withheld: list[WithheldMeasure] = Field(
        description="incentives not granted while the subject has an unrepaired dishonesty "
                    "record (e.g. 容缺受理), with those records")


class MeasurePublic(BaseModel):
    code: str
    kind: str
    text: str
    lists: list[str]
    listing_domains: list[str] = Field(description="empty: a listing of any domain")
    subject_kinds: list[str] = Field(description="empty: any kind of subject")
    requires_no_dishonesty: bool
    memorandum: Memorandum


class ScenarioPublic(BaseModel):
    code: str
    name: str
    domain: str
    domain_name: str
    measures: list[MeasurePublic]


class ScenariosPage(BaseModel):
    version: str
    domains: int = Field(description="distinct domains of joint rewards and punishments")
    items: list[ScenarioPublic]


def subject_of(raw: str, key: bytes, ledger: CreditLedger) -> tuple[str, str | None]:
    """The subject's code, a resident ID number pseudonymised exactly as at registration."""
    try:
        return principal_code(raw, key)
    except CodeError as e:
        code = path_code(raw)
        # An early pilot code recorded with its failing check character is still a subject.
        if not id_shaped(raw) and ledger.has_subject(code):
            return code, None
        raise CodeFieldError("subject", e) from None


@router.post("/v1/checks", status_code=201, response_model=CheckReceipt,
             responses=REPLAYED | {404: {"description": "No such subject"}})
def check(body: CheckIn, caller: Recorder, ledger: LedgerDep, settings: SettingsDep,
          response: Response) -> CheckReceipt:
    """The measures that apply to a subject for a scenario now, each with its basis; recorded."""
    ledger.scenarios.get(body.scenario)  # an unknown scenario is named first, whoever asks
    code, masked = subject_of(body.subject, settings.pseudonym_key.get_secret_value().encode(),
                              ledger)
    if not ledger.has_subject(code):
        raise NotFound("no subject with that code", field="subject")  # never echo an ID
    receipt, data = ledger.check_credit(code, body, by(caller))
    return answer(response, receipt, CheckReceipt, subject=code, masked=masked,
                  matter_no=data.get("matter_no"), **_fields(data))


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("scenario", "scenario_name", "domain", "checked_on", "catalogue", "measures",
            "withheld")
    return {k: data[k] for k in keys}


@router.get("/v1/scenarios", response_model=ScenariosPage)
def scenarios(ledger: LedgerDep) -> dict[str, Any]:
    """The catalogue of check scenarios: their domains, measures and the memoranda cited."""
    catalogue = ledger.scenarios
    return {"version": catalogue.version, "domains": len(catalogue.domains()),
            "items": [s.public() for s in catalogue]}
