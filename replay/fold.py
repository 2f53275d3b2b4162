"""A subject's state from its envelopes alone, by the aggregate's own evolve rules.

The envelopes may come from the store or from Kafka: nothing here touches a database, so an
auditor's reconstruction uses exactly the rules the ledger used when it recorded the facts.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any

from ledger.domain import subject as _subject  # noqa: F401  (loads every subject event class)
from ledger.domain.events import LedgerEvent


@cache
def _event_classes() -> dict[str, type[LedgerEvent]]:
    found: dict[str, type[LedgerEvent]] = {}
    todo: list[type[LedgerEvent]] = [LedgerEvent]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return found


def empty_state() -> SimpleNamespace:
    return SimpleNamespace(code=None, name=None, kind=None, masked=None, version=0, last_hash="",
                           recorded_by={}, permits={}, penalties={}, listings={},
                           commitments={}, principals={}, unknown_types=[],
                           registrar=None, registered_name=None, former_names=[],
                           deregistered=None)


def apply(state: SimpleNamespace, envelope: dict[str, Any]) -> None:
    """Evolve the state by one event, exactly as the aggregate did."""
    cls = _event_classes().get(envelope["type"])
    if cls is None:
        _event_classes.cache_clear()  # an event module imported since the first lookup
        cls = _event_classes().get(envelope["type"])
    if cls is None:
        state.unknown_types.append(envelope["type"])  # shown, never silently dropped
    else:
        # The event as the mapper builds it from the store (its fields read `data`).
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", {
            "data": envelope["data"], "authority": envelope["authority"],
            "actor": envelope["actor"], "originator_version": envelope["version"],
            "hash": envelope["hash"]})
        event.evolve(state)
    state.version = envelope["version"]
    state.last_hash = envelope["hash"]


def fold(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    """The subject as the ledger knew it after these events, as plain JSON."""
    state = empty_state()
    for envelope in envelopes:
        apply(state, envelope)
    out = dict(vars(state))
    del out["recorded_by"]  # an index for idempotency, not a fact
    if not out["unknown_types"]:
        del out["unknown_types"]
    return out
