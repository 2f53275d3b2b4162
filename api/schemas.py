"""Request and response bodies of the provider API, one family per resource."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PlainSerializer,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from ledger.domain.bounds import DATE_RANGE_MESSAGE, FIRST_DAY, LAST_DAY, LINE_RULES, TEXT_RULES
from ledger.domain.vocabulary import (
    CommitmentType,
    DelistReason,
    Domain,
    ListName,
    PrincipalRole,
    Severity,
    SubjectKind,
)

ISO_DATE_MESSAGE = "expected an ISO 8601 date such as 2026-06-01"


class _ExactIsoDate:
    """Lax parsing would take a Unix timestamp or a datetime for a date; providers must be exact.

    A date (not a datetime) or a YYYY-MM-DD string, else the `iso_date` error; then the usual
    date validation (a day that does not exist is reported as pydantic reports it); then the
    ledger's range (ledger.domain.bounds), else the `date_range` error. Built from
    pydantic-core schemas rather than a Python validator: it runs for every date of every row.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        exact = core_schema.union_schema([
            core_schema.date_schema(strict=True),
            core_schema.str_schema(pattern=r"^\d{4}-\d{2}-\d{2}$", strict=True,
                                   strip_whitespace=False),
        ], mode="left_to_right")
        return core_schema.chain_schema([
            core_schema.custom_error_schema(exact, custom_error_type="iso_date",
                                            custom_error_message=ISO_DATE_MESSAGE),
            handler(source),
            core_schema.custom_error_schema(
                core_schema.date_schema(ge=FIRST_DAY, le=LAST_DAY),
                custom_error_type="date_range", custom_error_message=DATE_RANGE_MESSAGE),
        ])


class _Refusing:
    """Text the stores cannot hold (ledger.domain.bounds), refused by rule: each rule is a
    pattern checked by pydantic-core after the usual string checks: well under a microsecond a
    field, a third of what a Python validator cost on every field of every imported row."""

    def __init__(self, rules: tuple[tuple[str, str, str], ...]) -> None:
        self.rules = rules

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        return core_schema.chain_schema([handler(source), *(
            core_schema.custom_error_schema(core_schema.str_schema(pattern=f"^{chars}*$"),
                                            custom_error_type=rule, custom_error_message=message)
            for rule, chars, message in self.rules)])


OneLine, LongText = _Refusing(LINE_RULES), _Refusing(TEXT_RULES)
IsoDate = Annotated[date, _ExactIsoDate()]

# Identifier formats, declared in the OpenAPI document but checked by the ledger's own rules
# (which name the rule broken, e.g. `check_character`) rather than by a regular expression.
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{18}$"
SUBJECT_CODE_PATTERN = "^(?:[0-9A-HJ-NPQRTUWXY]{18}|p-[0-9a-f]{32})$"
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def pattern(regex: str, description: str | None = None) -> Any:
    """Document a format without enforcing it: the JSON Schema says `pattern`, pydantic not."""
    extra: dict[str, Any] = {"pattern": regex}
    if description:
        extra["description"] = description
    return Field(json_schema_extra=extra)


SubjectCode = Annotated[str, pattern(SUBJECT_CODE_PATTERN, "USCC, or a person's pseudonym")]
RecordId = Annotated[str, pattern(UUID_PATTERN)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64), OneLine]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000), LongText]
# Yuan to the fen, stored as a decimal string so that no float ever enters a hash.
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2),
                   PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]


class In(BaseModel):
    """Unknown fields are refused by name rather than silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    CORE: ClassVar[frozenset[str]] = frozenset()

    def details(self) -> dict[str, Any]:
        """The optional descriptive fields, JSON-native, for the event's data."""
        return self.model_dump(mode="json", exclude_none=True, exclude=set(self.CORE))


class PublicityIn(In):
    """Permits and penalties: details() of text, dates and amounts, built directly.

    The same dict as model_dump(mode="json", ...) for the field types these bodies have
    (str, date, Amount); anything else goes through model_dump. It runs once per imported row.
    """

    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        core = self.CORE
        for name, value in self.__dict__.items():
            if value is None or name in core:
                continue
            kind = type(value)
            if kind is date:
                value = value.isoformat()
            elif kind is Decimal:
                value = f"{value:.2f}"  # as Amount's serializer
            elif kind is not str:
                return super().details()
            out[name] = value
        return out


def not_before(other: str) -> Any:
    """A validator: this date may not precede the named earlier field."""

    def check(value: date | None, info: ValidationInfo) -> date | None:
        earlier = info.data.get(other)
        if value is not None and earlier is not None and value < earlier:
            raise PydanticCustomError("date_order", f"must not be before {other} ({earlier})")
        return value

    return check


class SubjectIn(In):
    code: Annotated[Code, pattern(USCC_PATTERN)] = Field(
        description="USCC, or an 18-digit resident ID for persons (never echoed)")
    name: Short
    kind: SubjectKind
    allow_invalid_code: StrictBool = Field(
        False, description="record a USCC failing its check characters (early pilot codes)")


class PrincipalIn(In):
    principal: Annotated[Code, pattern(SUBJECT_CODE_PATTERN)] = Field(
        description="the principal's USCC, resident ID or pseudonym")
    role: PrincipalRole
    name: Short | None = None
    since: IsoDate


class PermitIn(PublicityIn):
    CORE = frozenset({"decision_no", "category", "decided_on", "published_on"})
    decision_no: Short
    category: Short
    decided_on: IsoDate
    published_on: IsoDate
    party_name: Short | None = None
    legal_representative: Short | None = None
    document_name: Short | None = None
    certificate_name: Short | None = None
    certificate_no: Short | None = None
    content: Text | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    data_source_unit: Short | None = None

    _valid_to = field_validator("valid_to")(not_before("valid_from"))


class PenaltyIn(PublicityIn):
    CORE = frozenset({"decision_no", "severity", "domain", "decided_on", "published_on",
                      "category", "basis", "special"})
    decision_no: Short
    severity: Severity
    domain: Domain
    decided_on: IsoDate
    published_on: IsoDate
    category: Short
    basis: Text
    special: StrictBool = Field(
        False, description="special equipment, work safety or fire safety (longer minimum)")
    party_name: Short | None = None
    legal_representative: Short | None = None
    violation_type: Short | None = None
    facts: Text | None = None
    penalty_content: Text | None = None
    fine_amount: Amount | None = None
    confiscation_amount: Amount | None = None
    publicity_end_date: IsoDate | None = None
    data_source_unit: Short | None = None

    _publicity_end = field_validator("publicity_end_date")(not_before("decided_on"))


class ListingIn(In):
    list_name: ListName = Field(alias="list")
    domain: Domain
    basis: Text
    notified_on: IsoDate
    listed_on: IsoDate
    expires_on: IsoDate | None = Field(description="required, within the policy's maximum for "
                                       "the list and domain; null only for a red listing "
                                       "where the policy sets no red maximum")
    removal_conditions: Text | None = None


class RemovalIn(In):
    delisted_on: IsoDate
    reason: DelistReason


class CommitmentIn(In):
    commitment_type: CommitmentType = Field(alias="type")
    made_on: IsoDate
    content: Text
    due_on: IsoDate | None = None
    commitment_no: Short | None = None

    _due_on = field_validator("due_on")(not_before("made_on"))


class CommitmentOutcomeIn(In):
    on: IsoDate
    note: Text | None = None


class WriteReceipt(BaseModel):
    """Where the recorded event sits: global position, stream and version, type and hash."""

    position: int
    stream: str
    version: int
    type: str
    hash: str
    subject: SubjectCode


class SubjectReceipt(WriteReceipt):
    masked: str | None = None
    code_check_failed: bool = False


class PrincipalReceipt(WriteReceipt):
    principal: SubjectCode
    masked: str | None = None


class PermitReceipt(WriteReceipt):
    late: bool
    provisional: bool = Field(False, description=(
        "The 7-working-day publication deadline was counted across a year whose official "
        "holiday schedule the calendar lacks (weekends and fixed-date holidays only): `late` "
        "is recorded as judged then, so check it by hand."))


class PenaltyReceipt(PermitReceipt):
    rule_set: str
    publicity_min_until: date
    publicity_max_until: date


class ListingReceipt(WriteReceipt):
    listing_id: RecordId


class CommitmentReceipt(WriteReceipt):
    commitment_id: RecordId
