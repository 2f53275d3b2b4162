"""The parts of an imported row: the row itself, its errors, and the checks every record
type shares (ledger.importing.rows reads records with them, civil_rows the civil servants')."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from ledger.domain.uscc import CodeError, validate_uscc
from ledger.identity import principal_code
from ledger.subject_cases import Registration

T = TypeVar("T")
PEOPLE_LIMIT = 200_000  # references remembered per import (bounded memory)


class TemplateRecord(dict[str, Any]):
    """A record read from a national-template CSV file (ledger.importing.csv_layout): it may
    carry `template_details`, `derived` and `personal_ids`, which no NDJSON record can.
    `columns`: the file's own (Chinese) column name of each field, for rejection reports."""

    columns: dict[str, str] = {}  # noqa: RUF012 (replaced per file, never mutated)


class RowError(Exception):
    """A record failed validation: one (field, reason) per problem."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {r}" for f, r in problems))
        self.problems = problems


@dataclass(slots=True)  # not frozen: that costs a setattr call per field, on every row
class Row:
    """A valid record: who records what about which subject (never changed once made)."""

    line: int
    record: str
    authority: str
    subject: str
    body: BaseModel | None = None
    # The subject to register if it is not yet (its code is `subject`): a subject record's,
    # where an existing one with other details is a conflict, or a permit's or penalty's
    # party, named on the row only to register it the first time.
    register: Registration | None = None
    principal: str | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    code_error: CodeError | None = None
    # An 18-digit reference that is a valid resident ID and a valid USCC: `subject` is the
    # person's pseudonym, this the organisation's code. The registered subject's kind decides.
    alt_subject: str | None = None
    columns: dict[str, str] | None = None  # a template file's own column names (reports)


def attempt(problems: list[tuple[str, str]], step: Callable[..., T], *args: Any) -> T | None:
    """step(*args), or None with its problems added to `problems`."""
    try:
        return step(*args)
    except RowError as e:
        problems.extend(e.problems)
        return None


def validate(model: type[BaseModel], fields: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(fields)
    except ValidationError as e:
        raise RowError([(".".join(str(p) for p in err["loc"]) or "record", err["msg"])
                        for err in e.errors()]) from None


def check(adapter: TypeAdapter[Any], name: str, value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as e:
        raise RowError([(name, e.errors()[0]["msg"])]) from None


@lru_cache(maxsize=1 << 16)
def checked_uscc(raw: str) -> str | CodeError:
    """A file names the same authorities and subjects again and again: check each once."""
    try:
        return validate_uscc(raw)
    except CodeError as e:
        return e


def person_or_code(raw: Any, key: bytes, name: str, people: dict[str, str] | None = None
                    ) -> str:
    text = str(raw or "").strip()
    if people is not None and (known := people.get(text)) is not None:
        return known
    try:
        code = principal_code(text, key)[0]
    except CodeError as e:  # a person's number names the ID rule, never the digits
        raise RowError([(name, str(e))]) from None
    if people is not None and len(people) < PEOPLE_LIMIT:
        people[text] = code
    return code
