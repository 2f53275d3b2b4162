"""A store written by an earlier ledger, and what it read: evidence that history stays readable.

`python -m tests.stored_history tests/data/store-2026-12-07.sqlite3` wrote the committed
store, with the code of its commit (the branch point of issue 16), and beside it the JSON of
every event's hash and of every aggregate's state, profile and score as that code read them.
`tests/integration/test_stored_history.py` opens the committed files with today's code. The
builder is kept runnable on today's code (it calls today's use cases), but the committed files
are the evidence: regenerate them only on purpose, for a new store format.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from ledger.application import By, CreditLedger
from ledger.build import build_ledger
from ledger.checkpoints import Checkpointer
from ledger.domain.checkpoint import is_checkpoint
from ledger.domain.joint_case import JointCase
from ledger.domain.repair_case import RepairCase
from ledger.domain.subject import Subject
from ledger.expiry import Expiry
from ledger.importing.importer import Importer, records
from ledger.settings import Settings
from ledger.signing import Signer
from ledger.store.notifications import envelope_from_notification
from replay.asof import AsOf
from tests import calls as joint
from tests import calls as repairs
from tests.calls import decide, register
from tests.listing_terms import longest, notice

TODAY = date(2026, 11, 25)
# The city `generate(24, seed=16)` wrote when the store was made, kept as it was: the
# generator has grown since (issue 20), the story must not.
CITY = Path(__file__).parent / "data" / "store-2026-12-07.city.ndjson"
KEY = b"stored-history-pseudonym-key"
MARKET = "11100000000013127D"
COURT = "11100000000016032D"
TAX = "11100000000019029K"
OFFICE = "11211100MB1234567K"
ACME, BETA, GAMMA = "91110000600037341L", "9144030071526726XG", "91350100M000100Y43"
OFFICER, DECIDER = By(OFFICE, "officer-1"), By(OFFICE, "officer-2")
# The generated city's departments when the store was written (the catalogue has grown since:
# district police branches register persons now), so the story is told again the same.
STORY_AUTHORITIES = (
    "11211100012345671L", "11211100024691344R", "112111000370370184", "112111000493826873",
    "11211100061728353C", "112111000740740297", "11211100086419696M", "11211100098765369T",
    "11211100111111037W", "11211100123456702B", "11211100135802377G", "112111001481480440",
    "11211100160493713E", "1121110017283938X5", "112111001851850553", "11211100197530725M",
    "11211100209876396G")


def ledger_on(path: Path, name: str = "StoredHistory") -> CreditLedger:
    settings = Settings(database_url=f"sqlite:///{path}", app_name=name, env="test")
    return build_ledger(settings, clock=lambda: TODAY)


def build(path: Path) -> None:
    """A generated city, then by hand every fact the generator does not write."""
    ledger = ledger_on(path)
    rows = list(records(orjson.loads(line) for line in CITY.read_bytes().splitlines()))
    Importer(ledger, key=KEY, actor="importer").run(rows)
    for code in (ACME, BETA, GAMMA):
        register(ledger, code=code, name=f"Story {code[-4:]}", kind="enterprise", masked=None,
                        authority=MARKET, actor="clerk-1", registered_on=date(2020, 1, 2))
    _subject_facts(ledger)
    _repairs(ledger)
    _joint(ledger)
    Expiry(ledger, ledger.policy).run(TODAY)  # publicity and listings at their maximum
    Checkpointer(ledger, Signer(bytes(range(32))), every=10_000, interval_s=0).record(force=True)
    ledger.close()


def _penalty(ledger: CreditLedger, code: str, number: str, on: date, severity: str = "general"
             ) -> None:
    decide(ledger, code, lambda s: s.impose_penalty(
        authority=MARKET, actor="clerk-1", decision_no=number, severity=severity,
        domain="production", decided_on=on, published_on=on, category="fine",
        basis="Product Quality Law art. 49", special=False, details={"fine": "5000.00"},
        today=TODAY, calendar=ledger.calendar))


def _listing(ledger: CreditLedger, code: str, list_name: str, on: date, domain: str = "tax",
             authority: str = COURT) -> str:
    _, (_, listing_id) = decide(ledger, code, lambda s: s.put_on_list(
        authority=authority, actor="judge-1", list_name=list_name, domain=domain,
        basis="list rules", notified_on=notice(on), listed_on=on,
        expires_on=longest(list_name, domain, on), removal_conditions="pays the tax due",
        today=TODAY, policy=ledger.policy, calendar=ledger.calendar))
    return str(listing_id)


def _commitment(ledger: CreditLedger, code: str, on: date, kind: str = "repair") -> str:
    _, (_, cid) = decide(ledger, code, lambda s: s.make_commitment(
        authority=MARKET, actor="clerk-1", commitment_type=kind, made_on=on,
        content=f"{kind} commitment of {on}", due_on=None, today=TODAY))
    return str(cid)


def _subject_facts(ledger: CreditLedger) -> None:
    decide(ledger, ACME, lambda s: s.link_principal(
        principal=BETA, role="legal_representative", name="Beta Holdings", since=date(2020, 2, 3),
        authority=MARKET, actor="clerk-1", today=TODAY))
    decide(ledger, ACME, lambda s: s.grant_permit(
        authority=MARKET, actor="clerk-1", decision_no="PERMIT-1", category="food_business",
        decided_on=date(2024, 5, 6), published_on=date(2024, 5, 20), details={"scope": "retail"},
        today=TODAY, calendar=ledger.calendar))
    _penalty(ledger, ACME, "PJ-2025-1", date(2025, 3, 3))
    decide(ledger, ACME, lambda s: s.revoke_penalty(
        authority=MARKET, actor="clerk-1", decision_no="PJ-2025-1", revoked_on=date(2025, 4, 1),
        reason="annulled on review", today=TODAY))
    _penalty(ledger, ACME, "PJ-2026-1", date(2026, 4, 10), severity="minor")  # expires
    key = _listing(ledger, GAMMA, "key_attention", date(2025, 1, 6), domain="production",
                   authority=MARKET)
    decide(ledger, GAMMA, lambda s: s.remove_from_list(
        listing_id=key, authority=MARKET, actor="clerk-1", delisted_on=date(2025, 6, 2),
        reason="error", today=TODAY))
    _listing(ledger, BETA, "red", date(2025, 2, 3), domain="tax", authority=TAX)
    kept = _commitment(ledger, BETA, date(2025, 3, 3), kind="industry")
    broken = _commitment(ledger, BETA, date(2025, 3, 4), kind="industry")
    for cid, ok in ((kept, True), (broken, False)):
        decide(ledger, BETA, lambda s, cid=cid, ok=ok: s.settle_commitment(
            commitment_id=cid, kept=ok, on=date(2025, 9, 1), note="checked", authority=MARKET,
            actor="clerk-1", today=TODAY))


def _repairs(ledger: CreditLedger) -> None:
    p = ledger.policy
    # Approved and informed, with training and a report: the penalty's publicity ends.
    _penalty(ledger, ACME, "PJ-2026-2", date(2026, 4, 7))
    case = repairs.apply(ledger, subject=ACME, target="PJ-2026-2", applied_on=date(2026, 8, 3),
                         obligations_performed=True, by=OFFICER, policy=p,
                         commitment_id=_commitment(ledger, ACME, date(2026, 8, 1)))[1]
    cid = str(case.id)
    repairs.record_training(ledger, cid, on=date(2026, 8, 4), provider="City credit school",
                            certificate_no="T-1", by=OFFICER)
    repairs.submit_report(ledger, cid, issued_on=date(2026, 8, 4), agency="Credit Agency",
                          report_no="R-1", conclusion="good", by=OFFICER)
    repairs.accept(ledger, cid, on=date(2026, 8, 5), by=OFFICER, policy=p)
    repairs.approve(ledger, cid, on=date(2026, 8, 6), by=DECIDER, policy=p)
    repairs.inform(ledger, cid, on=date(2026, 8, 7), by=DECIDER)
    # A black listing repaired: the approval removes it; the commitment linked afterwards.
    black = _listing(ledger, BETA, "black", date(2025, 6, 2))
    case = repairs.apply(ledger, subject=BETA, target=black, applied_on=date(2026, 6, 22),
                         obligations_performed=True, by=OFFICER, policy=p)[1]
    repairs.link_commitment(ledger, str(case.id), by=OFFICER,
                            commitment_id=_commitment(ledger, BETA, date(2026, 6, 20)))
    repairs.accept(ledger, str(case.id), on=date(2026, 6, 26), by=OFFICER, policy=p)
    repairs.approve(ledger, str(case.id), on=date(2026, 7, 3), by=DECIDER, policy=p)
    # Rejected; refused at filing (obligations not performed); refused by hand; withdrawn.
    _penalty(ledger, GAMMA, "PJ-2026-3", date(2026, 4, 7))
    case = repairs.apply(ledger, subject=GAMMA, target="PJ-2026-3", applied_on=date(2026, 8, 3),
                         obligations_performed=True, by=OFFICER, policy=p,
                         commitment_id=_commitment(ledger, GAMMA, date(2026, 8, 1)))[1]
    repairs.accept(ledger, str(case.id), on=date(2026, 8, 4), by=OFFICER, policy=p)
    repairs.reject(ledger, str(case.id), on=date(2026, 8, 10), reasons=["report missing"],
                   by=DECIDER, policy=p)
    repairs.apply(ledger, subject=GAMMA, target="PJ-2026-3", applied_on=date(2026, 9, 1),
                  obligations_performed=False, by=OFFICER, policy=p)
    case = repairs.apply(ledger, subject=GAMMA, target="PJ-2026-3", applied_on=date(2026, 9, 2),
                         obligations_performed=True, by=OFFICER, policy=p,
                         application_no="A-2")[1]
    repairs.refuse(ledger, str(case.id), on=date(2026, 9, 3), rule="evidence",
                   reason="forged evidence", by=OFFICER)
    case = repairs.apply(ledger, subject=GAMMA, target="PJ-2026-3", applied_on=date(2026, 9, 4),
                         obligations_performed=True, by=OFFICER, policy=p,
                         application_no="A-3")[1]
    repairs.withdraw(ledger, str(case.id), on=date(2026, 9, 5), reason="changed mind",
                     by=OFFICER)


def _joint(ledger: CreditLedger) -> None:
    black = _listing(ledger, GAMMA, "black", date(2026, 3, 2))
    by = By(COURT, "judge-1")
    _, case = joint.initiate(ledger, subject=GAMMA, listing_id=black, on=date(2026, 3, 3), by=by)
    joint.respond(ledger, case.case_id, measure="no public tenders", on=date(2026, 3, 4),
                  by=By(TAX, "tax-1"))
    joint.respond(ledger, case.case_id, measure="no subsidies", on=date(2026, 3, 5),
                  by=By(MARKET, "clerk-1"))
    joint.close(ledger, case.case_id, feedback="measures applied", on=date(2026, 3, 9), by=by)
    red = _listing(ledger, ACME, "red", date(2026, 5, 4), domain="tax", authority=TAX)
    joint.initiate(ledger, subject=ACME, listing_id=red, on=date(2026, 5, 5),
                   by=By(TAX, "tax-1"))  # left open


def plain(value: Any) -> Any:
    """JSON-native, as both the old and the new aggregates' state compare."""
    return orjson.loads(orjson.dumps(value, default=_default,
                                     option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS))


def _default(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "value"):
        return value.value
    raise TypeError(type(value).__name__)


def aggregate_state(aggregate: Any) -> dict[str, Any]:
    """What an aggregate knows, as plain JSON (enums as their values)."""
    if isinstance(aggregate, Subject):
        names = ["code", "name", "kind", "masked", "permits", "penalties", "listings",
                 "commitments", "principals"]
    elif isinstance(aggregate, RepairCase):
        names = ["subject", "case_id", "target_kind", "target_id", "target_authority", "domain",
                 "list_name", "severity", "applied_on", "obligations_performed", "status",
                 "commitment_id", "accepted_on", "accepted_by", "decision_due", "decided_on",
                 "notify_due", "informed_on", "trainings", "reports"]
    elif isinstance(aggregate, JointCase):
        return plain(aggregate.public()) | {"version": aggregate.version}
    else:
        return {"version": aggregate.version}
    return plain({n: getattr(aggregate, n) for n in names}) | {
        "version": aggregate.version, "last_hash": aggregate.last_hash}


def snapshot(ledger: CreditLedger) -> dict[str, Any]:
    """Every event's hash, every aggregate's state, every subject's profile and score."""
    notes = ledger.recorder.select_notifications(1, 1_000_000)
    envelopes = [envelope_from_notification(n) for n in notes]
    events = [{k: e[k] for k in ("position", "stream", "version", "type", "schema_version",
                                 "hash")} for e in envelopes]
    # Checkpoints are a stream of events, not an aggregate: their hashes are checked above.
    streams = sorted({e["stream"] for e in envelopes if not is_checkpoint(e)})
    states = {s: aggregate_state(ledger.repository.get(UUID(s))) for s in streams}
    codes = sorted({e["subject"] for e in envelopes
                    if e["type"] == "SubjectRegistered"})
    asof = AsOf(ledger.recorder, today=lambda: TODAY)
    profiles = {}
    for code in codes:
        found = asof.state(code)  # every event, read on TODAY
        profiles[code] = plain({k: found[k] for k in ("profile", "score", "known")})
    return {"events": events, "states": states, "profiles": profiles}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    if target.exists():
        sys.exit(f"{target} exists: remove it first to write a new stored history")
    build(target)
    reader = ledger_on(target)
    target.with_suffix(".json").write_bytes(orjson.dumps(
        snapshot(reader), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    reader.close()
