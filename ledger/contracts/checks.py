"""Approval systems' credit checks (信用核查): the body of POST /v1/checks."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ledger.contracts.fields import SUBJECT_CODE_PATTERN, Code, In, Short, pattern


class CheckIn(In):
    subject: Annotated[Code, pattern(SUBJECT_CODE_PATTERN)] = Field(
        description="USCC, a person's pseudonym (p-...), or a person's resident ID number, "
                    "turned into the pseudonym on arrival and never stored or echoed")
    scenario: Code = Field(description="a scenario code of GET /v1/scenarios, e.g. "
                                       "government_procurement")
    matter_no: Short | None = Field(
        None, description="the approval system's matter (办件) number: the same matter checked "
                          "again with the same outcome records nothing, and a measure counts "
                          "once per matter")
