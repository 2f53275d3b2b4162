"""Stories about the hash chain of a subject's events: each event seals the one before, an
auditor recomputes every hash with the standard library, and a rewrite breaks the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.envelope import broken_link, canonical_json
from ledger.domain.subject import Subject
from tests.unit._subject_facts import ACME, MARKET, acme, listing, penalty, permit, types


def plain_hash(envelope: dict[str, Any]) -> str:
    """What an auditor writes with the standard library alone (docs/events.md)."""
    body = {k: v for k, v in envelope.items() if k not in ("hash", "position")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def whole_history() -> list[Any]:
    s = Subject.register(code=ACME, name="北京某某科技有限公司", kind="enterprise", masked=None,
                         authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 6))
    permit(s)
    penalty(s)
    listing(s, "red", listed_on=date(2024, 3, 1), notified_on=date(2024, 2, 20))
    listing(s, "black")
    return list(s.collect_events())


def test_each_event_links_the_previous_events_hash() -> None:
    events = whole_history()
    assert types(events) == ["SubjectRegistered", "PermitGranted", "PenaltyImposed", "Listed",
                             "Listed", "Delisted"]
    assert events[0].prev_hash == ""
    for before, after in pairwise(events):
        assert after.prev_hash == before.hash
    assert broken_link([e.envelope() for e in events]) is None


def test_an_auditor_recomputes_every_hash_with_hashlib_and_json() -> None:
    for event in whole_history():
        envelope = event.envelope(position=42)
        assert plain_hash(envelope) == envelope["hash"] == event.hash


def test_rewriting_history_breaks_the_chain() -> None:
    envelopes = [e.envelope() for e in whole_history()]
    envelopes[2]["data"]["fine_amount"] = "50.00"
    assert broken_link(envelopes) == (3, "hash does not match the event's content")
    # Re-sealing the edited event does not help: the next event still names the old hash.
    envelopes[2]["hash"] = plain_hash(envelopes[2])
    assert broken_link(envelopes) == (4, "prev_hash does not match the previous event's hash")


# Event data is JSON-native by construction: no floats (amounts travel as decimal strings).
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | text
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20)


@given(json_values)
def test_canonical_form_is_the_plain_json_form(value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected.encode("utf-8")


@settings(max_examples=50)
@given(st.dictionaries(text, json_values, max_size=5))
def test_any_recorded_details_hash_the_same_for_an_auditor(details: dict[str, Any]) -> None:
    s = acme()
    permit(s, details=details or {"content": "许可"})
    [granted] = s.collect_events()
    assert plain_hash(granted.envelope()) == granted.hash
