"""Admin: rebuild a projection (or all) in the background, and watch its progress."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request

from api.deps import Admin, RuntimeDep
from api.read_schemas import RebuildJob
from api.responses import OrjsonResponse
from ledger.domain.errors import Conflict, NotFound
from ledger.runtime import Runtime
from projections.rebuild import rebuild_named
from projections.runner import feed_factory
from projections.storage import view_store
from projections.views import load_views

router = APIRouter(prefix="/v1/admin/projections", tags=["admin"])
_lock = threading.Lock()


def _jobs(runtime: Runtime) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = runtime.extras.setdefault("rebuild_jobs", {})
    return jobs


def _run(runtime: Runtime, job: dict[str, Any]) -> None:
    def progress(events: int, read: int, head: int) -> None:
        job.update(events=events, read=read, head=head)

    try:
        report = rebuild_named(view_store(runtime), feed_factory(runtime), load_views(),
                               job["view"], progress=progress)
        job.update(state="done", events=report.events, generation=report.generation,
                   seconds=round(report.seconds, 3), events_per_s=round(report.rate, 1))
    except Exception as e:  # the job reports its failure to whoever polls its status
        job.update(state="failed", error=f"{type(e).__name__}: {e}")
    job["finished_at"] = time.time()


@router.post("/{view}/rebuild", status_code=202, response_model=RebuildJob)
def start_rebuild(view: str, request: Request, runtime: RuntimeDep, _: Admin) -> OrjsonResponse:
    """Rebuild a view (or `all`) into fresh tables while the old ones serve, then swap."""
    names = [v.name for v in load_views()]
    if view != "all" and view not in names:
        raise NotFound(f"unknown view {view!r}; expected all or one of {', '.join(names)}",
                       field="view")
    with _lock:
        jobs = _jobs(runtime)
        if any(j["state"] == "running" for j in jobs.values()):
            raise Conflict("a rebuild is already running; wait for it to finish")
        job_id = uuid.uuid4().hex
        job = jobs[job_id] = {"id": job_id, "view": view, "state": "running", "events": 0,
                              "started_at": time.time()}
    threading.Thread(target=_run, args=(runtime, job), name=f"rebuild-{view}",
                     daemon=True).start()
    url = str(request.url_for("rebuild_status", job_id=job_id).path)
    return OrjsonResponse(dict(job, status_url=url), status_code=202, headers={"Location": url})


@router.get("/rebuilds/{job_id}", name="rebuild_status", response_model=RebuildJob,
            response_model_exclude_unset=True)
def rebuild_status(job_id: str, runtime: RuntimeDep, _: Admin) -> dict[str, Any]:
    """The state of a rebuild: running, done (with events/s) or failed."""
    job = _jobs(runtime).get(job_id)
    if job is None:
        raise NotFound(f"no rebuild {job_id!r}", field="job_id")
    return dict(job)
