"""Typed events: fields read and written as their types, the wire form unchanged, and the
library's upcasting for a payload whose shape changes, with every stored hash still true."""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from ledger.application import CreditLedger
from ledger.domain import repair_events  # noqa: F401  (every event class, for the schemas)
from ledger.domain import subject_events as ev
from ledger.domain.envelope import envelope_hash
from ledger.domain.events import LedgerEvent
from ledger.domain.joint_case import JointCase, JointCaseInitiated
from ledger.domain.vocabulary import CommitmentStatus, ListName
from ledger.store.notifications import envelope_from_stored

MARKET, COURT = "11100000000013127D", "11100000000016032D"
SCHEMAS = Path(__file__).parents[2] / "docs" / "schema" / "events"


def test_a_listing_is_built_from_typed_values_and_read_back_as_them() -> None:
    data = ev.Listed.data_of(listing_id="L-1", list=ListName.BLACK, domain="tax",
                             basis="court list", notified_on=date(2025, 5, 1),
                             listed_on=date(2025, 5, 9), expires_on=None,
                             removal_conditions="pays")
    # The wire form: dates as ISO strings, codes as their values, an absent expiry as null.
    assert data == {"listing_id": "L-1", "list": "black", "domain": "tax",
                    "basis": "court list", "notified_on": "2025-05-01",
                    "listed_on": "2025-05-09", "expires_on": None, "removal_conditions": "pays"}
    event = object.__new__(ev.Listed)
    object.__setattr__(event, "__dict__", {"data": data})
    assert (event.list, event.listed_on, event.expires_on) == (ListName.BLACK,
                                                               date(2025, 5, 9), None)


@pytest.mark.parametrize(("values", "problem"), [
    ({"commitment_id": "C-1", "on": "2025-05-01", "note": ""}, "on must be date"),
    ({"commitment_id": "C-1", "note": ""}, "needs on"),
    ({"commitment_id": "C-1", "on": date(2025, 5, 1), "note": "", "kept": True}, "no field kept"),
    ({"commitment_id": None, "on": date(2025, 5, 1), "note": ""}, "may not be None"),
])
def test_a_fact_missing_or_mistyped_is_refused_before_it_is_recorded(
        values: dict[str, Any], problem: str) -> None:
    with pytest.raises(TypeError, match=problem):
        ev.CommitmentFulfilled.data_of(**values)


def test_states_are_enums_that_read_as_their_codes() -> None:
    assert CommitmentStatus.BREACHED == "breached" and f"{CommitmentStatus.MADE}" == "made"


def test_an_older_payload_is_upcast_as_it_is_read_and_its_hash_still_verifies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A joint case opened before its payload named the listing's authority (version 1).
    ledger = CreditLedger(name="Upcast")
    listing = {"data": {"listing_id": "L-1", "list": "black", "domain": "tax",
                        "listed_on": "2025-05-09"}, "authority": COURT, "active": True}
    case = JointCase.initiate(subject="91110000600037341L", listing=listing, on=date(2025, 5, 9),
                              authority=COURT, actor="judge-1", today=date(2025, 5, 10))
    stored_v1 = dict(case.pending_events[0].data)
    del stored_v1["listing_authority"]
    object.__setattr__(case.pending_events[0], "data", stored_v1)
    object.__setattr__(case.pending_events[0], "hash", "")
    case.pending_events[0].__post_init__()  # sealed as the version-1 code sealed it
    ledger.save(case)

    # Version 2 requires the field; its upcaster fills it in from the envelope's authority.
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["data"] = state["data"] | {"listing_authority": state["authority"]}

    monkeypatch.setattr(JointCaseInitiated, "class_version", 2, raising=False)
    monkeypatch.setattr(JointCaseInitiated, "upcast_v1_v2", staticmethod(upcast_v1_v2),
                        raising=False)
    read = ledger.joint_case(case.id)
    first: Any = next(iter(ledger.events.get(case.id)))
    assert first.data["listing_authority"] == COURT and read.owner == COURT
    # What auditors verify is rebuilt from the stored JSON: version 1, its hash unchanged.
    stored = ledger.recorder.select_events(case.id)[0]
    envelope = envelope_from_stored(stored.topic, stored.originator_id, 1, stored.state, None)
    assert envelope["schema_version"] == 1
    assert "listing_authority" not in envelope["data"]
    assert envelope_hash(envelope) == envelope["hash"]


def event_classes() -> list[type[LedgerEvent]]:
    found, todo = [], list(LedgerEvent.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if (SCHEMAS / f"{cls.__name__}.json").exists():
            found.append(cls)
    return sorted(set(found), key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", [c for c in event_classes() if c.FIELDS],
                         ids=lambda c: c.__name__)
def test_each_event_declares_the_fields_its_published_schema_describes(
        cls: type[LedgerEvent]) -> None:
    schema = json.loads((SCHEMAS / f"{cls.__name__}.json").read_text())
    declared = set(cls.FIELDS)
    # Every key the schema requires is declared and may not be left out; every declared
    # field is in the schema (permits and penalties add their descriptive keys beside).
    assert set(schema.get("required", [])) <= {
        n for n, f in cls.FIELDS.items() if not f.omit_none}
    assert declared <= set(schema["properties"])
    for name, spec in cls.FIELDS.items():
        listed = schema["properties"][name].get("enum")
        if listed is not None and isinstance(spec.kind, type) and issubclass(spec.kind, Enum):
            assert {m.value for m in spec.kind} <= set(listed) | {None}, name
