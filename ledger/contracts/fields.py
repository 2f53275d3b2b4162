"""The field types and edge rules of every write: the same over HTTP and in bulk files."""

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
    StringConstraints,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError, core_schema

from ledger.domain.bounds import DATE_RANGE_MESSAGE, FIRST_DAY, LAST_DAY, LINE_RULES, TEXT_RULES

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
