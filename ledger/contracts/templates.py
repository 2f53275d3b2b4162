"""Permits and penalties read from the national templates: the API bodies, plus what the
ledger does not model (kept as descriptive keys of the event) and what was derived.

Only the CSV importer builds these (ledger.importing.csv_layout): an API body or an NDJSON
record cannot claim a derivation.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from ledger.contracts.fields import LongText, OneLine
from ledger.contracts.records import PenaltyIn, PermitIn

DetailKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
DetailText = Annotated[str, StringConstraints(min_length=1, max_length=20_000), LongText]
DerivedText = Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]
TEMPLATE_FIELDS = frozenset({"template_details", "derived"})


class _FromTemplate:
    """details(): the body's descriptive fields, the template's other columns, `derived`."""

    template_details: dict[str, Any]
    derived: dict[str, Any]

    def _with_template(self, details: dict[str, Any]) -> dict[str, Any]:
        out = {**self.template_details, **details}  # a modelled field wins over a column
        if self.derived:
            out["derived"] = dict(self.derived)
        return out


class TemplatePermitIn(_FromTemplate, PermitIn):
    CORE = PermitIn.CORE | TEMPLATE_FIELDS
    template_details: dict[DetailKey, DetailText] = Field(default_factory=dict)
    derived: dict[DetailKey, DerivedText] = Field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        return self._with_template(super().details())


class TemplatePenaltyIn(_FromTemplate, PenaltyIn):
    CORE = PenaltyIn.CORE | TEMPLATE_FIELDS
    template_details: dict[DetailKey, DetailText] = Field(default_factory=dict)
    derived: dict[DetailKey, DerivedText] = Field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        return self._with_template(super().details())


TEMPLATE_BODIES: dict[str, type[BaseModel]] = {"permit": TemplatePermitIn,
                                               "penalty": TemplatePenaltyIn}
