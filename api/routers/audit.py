"""Auditors: a subject's history and state at any record time, and chain verification."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response

from api.audit_schemas import SignedCheckpointPublic
from api.deps import Auditor, LedgerDep, RuntimeDep, SettingsDep
from api.labelled import label_state
from ledger import checkpoints
from ledger.contracts.fields import IsoDate
from ledger.identity import path_code
from ledger.runtime import Runtime
from projections.storage import view_store
from replay import jobs, summary
from replay.asof import AsOf, led_in_live_views
from replay.history import history
from replay.when import BadTime, parse_as_of

router = APIRouter(prefix="/v1/audit", tags=["audit"])

AS_OF = Query(None, description="Record time (ISO 8601 instant, or a date meaning its end, "
                                "UTC): only what the ledger had recorded by then.")


def _bad(e: BadTime) -> HTTPException:
    return HTTPException(422, str(e))


_asof_lock = threading.Lock()


def asof_for(runtime: Runtime) -> AsOf:
    """The process's one AsOf, so timelines and snapshots stay warm between requests."""
    with _asof_lock:
        found: AsOf | None = runtime.extras.get("asof")
        if found is None:
            found = runtime.extras["asof"] = AsOf(
                runtime.ledger.recorder, related=led_in_live_views(view_store(runtime)),
                today=runtime.ledger.clock)
        return found


@router.get("/subjects/{code}/events")
def subject_events(code: str, _: Auditor, ledger: LedgerDep, settings: SettingsDep,
                   as_of: str | None = AS_OF,
                   source: str = Query("store", pattern="^(store|kafka)$")) -> dict[str, Any]:
    """The subject's events recorded up to `as_of`, with hashes, and its state then."""
    try:
        when = parse_as_of(as_of)
    except BadTime as e:
        raise _bad(e) from None
    if source == "kafka":
        if not settings.kafka_bootstrap:
            raise HTTPException(422, "source=kafka needs Kafka, which is not configured")
        found = history(path_code(code), when,
                        kafka=(settings.kafka_bootstrap, settings.kafka_topic))
    else:
        found = history(path_code(code), when, recorder=ledger.recorder)
    return found.as_dict()


@router.get("/subjects/{code}/state")
def subject_state(code: str, _: Auditor, runtime: RuntimeDep, as_of: str | None = AS_OF,
                  effective: IsoDate | None = Query(None, description="Business time: what was "
                                                    "in force on this date, as known at as_of."),
                  ) -> dict[str, Any]:
    """Profile, list memberships and score with its explanation, as known at `as_of`."""
    try:
        when = parse_as_of(as_of)
    except BadTime as e:
        raise _bad(e) from None
    return label_state(runtime, asof_for(runtime).state(path_code(code), when, effective))


@router.get("/checkpoints/latest", response_model=SignedCheckpointPublic,
            responses={404: {"description": "No checkpoint recorded yet"}})
def latest_checkpoint(ledger: LedgerDep) -> dict[str, Any]:
    """The ledger's latest signed checkpoint (public: it holds hashes and positions only)."""
    found = checkpoints.latest(ledger)
    if found is None:
        raise HTTPException(404, "no checkpoint recorded yet")
    return found.public()


@router.get("/verify")
def last_verification(_: Auditor, ledger: LedgerDep) -> dict[str, Any]:
    """The last verification (running or finished) and the last finished one."""
    last = summary.latest(ledger.recorder, ledger.name)
    done = summary.latest(ledger.recorder, ledger.name, finished=True)
    return {"last": last.as_dict() if last else None,
            "last_finished": done.as_dict() if done else None,
            "start": {"method": "POST", "href": "/v1/audit/verify"}}


@router.post("/verify", status_code=202,
             responses={409: {"description": "A verification is already running"}})
def start_verification(_: Auditor, ledger: LedgerDep, settings: SettingsDep, response: Response,
                       source: str | None = Query(None, pattern="^(store|kafka|both)$"),
                       ) -> dict[str, Any]:
    """Start verifying every chain (store, Kafka or both) in the background."""
    try:
        report = jobs.start_in_background(ledger, settings, source)
    except jobs.SourceUnavailable as e:
        raise HTTPException(422, str(e)) from None
    except jobs.AlreadyRunning as e:
        raise HTTPException(409, str(e),
                            headers={"Location": f"/v1/audit/verify/{e.report_id}"}) from None
    response.headers["Location"] = f"/v1/audit/verify/{report.id}"
    return report.as_dict()


@router.get("/verify/{report_id}")
def one_verification(report_id: str, _: Auditor, ledger: LedgerDep) -> dict[str, Any]:
    """One verification by id, to follow a run started with POST."""
    report = summary.get(ledger.recorder, ledger.name, report_id)
    if report is None:
        raise HTTPException(404, f"no verification {report_id}")
    return report.as_dict()
