"""A check log read back from its snapshot (docs/adr/036) decides the next check as the log
read whole would: a matter answered again records nothing, a changed outcome is recorded and
counts only the measures its matter never counted, and the chain goes on from the last hash."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.credit_check import CheckLog, CheckLogSnapshot, Outcome
from ledger.domain.events import seal
from ledger.domain.scenarios import ScenarioCatalogue
from ledger.store.transcoder import OrjsonTranscoder

TODAY = date(2026, 10, 16)
BY = {"authority": "11211100MB0000120X", "actor": "zc-system"}
CATALOGUE = ScenarioCatalogue.load()
SCENARIO = CATALOGUE.get("government_procurement")


def applied(*listings: str) -> Outcome:
    return Outcome([{"measure": "procurement_ban", "kind": "restrict", "text": "...",
                     "basis": {"listing_id": listing}} for listing in listings])


def check(log: CheckLog, outcome: Outcome, matter_no: str | None) -> int:
    return log.record(scenario=SCENARIO, catalogue=CATALOGUE.version, matter_no=matter_no,
                      subject_kind="enterprise", outcome=outcome, on=TODAY, **BY)


def through_json(log: CheckLog) -> CheckLog:
    """The log as the store gives it back from a snapshot: JSON, then the aggregate."""
    transcoder = OrjsonTranscoder()
    snapshot = CheckLogSnapshot.take(log)
    state = transcoder.decode(transcoder.encode(dict(vars(snapshot))))
    back: Any = CheckLogSnapshot(originator_id=log.id, originator_version=log.version,
                                 timestamp=state["timestamp"], topic=state["topic"],
                                 state=state["state"]).mutate(None)
    return back


def test_a_snapshotted_log_decides_as_the_whole_log_would() -> None:
    log = CheckLog.open(subject="91110000600037341L", on=TODAY, **BY)
    assert check(log, applied("L-1"), "ZC-1") == 2
    for _ in range(3):
        check(log, applied("L-1"), None)
    log.collect_events()
    back = through_json(log)
    assert (back.version, back.last_hash, back.subject) == (5, log.last_hash, log.subject)
    assert back.created_on == log.created_on and back.modified_on == log.modified_on
    # The same matter, the same outcome: nothing recorded, the first check named.
    assert check(back, applied("L-1"), "ZC-1") == 2
    assert back.pending_events == []
    # A new basis for the same matter: recorded; only the new listing's measure counts.
    assert check(back, applied("L-1", "L-2"), "ZC-1") == 6
    [event] = back.collect_events()
    assert event.data["new_measures"] == 1  # type: ignore[attr-defined]
    # Sealed on the hash the snapshot carried: the chain goes on unbroken.
    assert event.prev_hash == log.last_hash  # type: ignore[attr-defined]
    assert event.hash == seal(  # type: ignore[attr-defined]
        type(event), str(log.id), 6, event.timestamp, log.subject, TODAY.isoformat(),
        BY["authority"], BY["actor"], event.data, log.last_hash)  # type: ignore[attr-defined]
