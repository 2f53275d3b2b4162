"""Uploads: a department sends a file, the server imports it in the background (docs/import.md,
docs/adr/021). The same importer as `credit-ledger import`."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from api.auth import Caller, Role
from api.deps import RuntimeDep, require
from api.import_schemas import ImportAccepted, ImportsPage, ImportStatus, ImportSummary, Status
from api.recording import Recorder, may_act_for_any_authority
from api.responses import OrjsonResponse
from ledger.domain.errors import Conflict, NotFound
from ledger.importing.jobs import FINISHED, ImportJobs, Job
from ledger.importing.upload import check_readable, domain_code, format_of, save_upload
from ledger.importing.worker import wake_workers
from ledger.privacy import redact
from ledger.runtime import Runtime
from ledger.settings import Settings

PATH = "/v1/imports"
router = APIRouter(prefix=PATH, tags=["imports"])
NDJSON = "application/x-ndjson"
ENVELOPE = 64 * 1024  # the multipart boundaries and the other form fields, beside the file
# Who may read a job: its own authority's providers, and auditors and admins (who may read
# every record of the ledger anyway). Anyone else gets 404, as for a job that does not exist.
Reader = Annotated[Caller, require(Role.PROVIDER, Role.AUDITOR)]


def upload_limits(settings: Settings) -> dict[str, int]:
    """The body limit of the upload path (api/limits.py), instead of the 1 MiB of the rest."""
    return {PATH: settings.imports_max_bytes + ENVELOPE}


def jobs_of(runtime: Runtime) -> ImportJobs:
    return ImportJobs(runtime.settings.imports_root)


@router.post("", status_code=202, response_model=ImportAccepted,
             responses={202: {"headers": {"Location": {"schema": {"type": "string"},
                                                       "description": "the job's status"}}},
                        413: {"description": "The file is over LEDGER_IMPORTS_MAX_BYTES"}})
def upload(
    caller: Recorder, runtime: RuntimeDep, request: Request,
    file: Annotated[UploadFile, File(description="a double-publicity CSV or an NDJSON file, "
                                                 "as `credit-ledger import` reads them")],
    fmt: Annotated[Literal["csv", "ndjson"] | None,
                   Form(alias="format", description="default: from the file name")] = None,
    all_or_nothing: Annotated[bool, Form(description="store nothing if any row is rejected")
                              ] = False,
    domain: Annotated[str | None, Form(description="domain (code or Chinese label) of "
                                                   "penalties that name none")] = None,
) -> OrjsonResponse:
    """Upload a file to import under the token's authority; answers the queued job at once."""
    settings, jobs = runtime.settings, jobs_of(runtime)
    name = redact(PurePath((file.filename or "").replace("\\", "/")).name)[:200]
    found_format, found_domain = format_of(name, fmt), domain_code(domain)
    with jobs.staged() as staging:
        size = save_upload(file.file, staging / "upload", settings.imports_max_bytes)
        check_readable(staging / "upload", found_format)
        job = jobs.create(staging, Job(
            id=str(uuid.uuid4()), authority=caller.authority, actor=caller.actor,
            filename=name, format=found_format, bytes=size, all_or_nothing=all_or_nothing,
            domain=found_domain, own_authority_only=not may_act_for_any_authority(caller)))
    wake_workers(runtime)
    url = str(request.url_for("import_status", id=job.id).path)
    return OrjsonResponse({"id": job.id, "status": job.status}, status_code=202,
                          headers={"Location": url})


@router.get("", response_model=ImportsPage)
def imports(
    caller: Reader, runtime: RuntimeDep,
    status: Annotated[Status | None, Query(description="only jobs in this status")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ImportsPage:
    """Upload jobs, newest first: a provider sees its own authority's."""
    own = caller.authority if caller.role == Role.PROVIDER else None
    jobs = jobs_of(runtime).listing(own, status)
    start = (page - 1) * page_size
    return ImportsPage(page=page, page_size=page_size, total=len(jobs), items=[
        ImportSummary(**job.as_dict()) for job in jobs[start:start + page_size]])


def readable_job(id: str, caller: Reader, runtime: RuntimeDep) -> Job:
    job = jobs_of(runtime).get(id)
    if job is None or (caller.role == Role.PROVIDER and job.authority != caller.authority):
        raise NotFound(f"no import job {id}", field="id")
    return job


ReadableJob = Annotated[Job, Depends(readable_job)]


@router.get("/{id}", name="import_status", response_model=ImportStatus)
def import_status(job: ReadableJob) -> dict[str, Any]:
    """An upload job: rows read, rows/s, events stored, rejections (the first 100)."""
    return job.as_dict()


@router.get("/{id}/report", response_class=Response,
            responses={200: {"description": "every rejection, one JSON object a line: "
                                            "`{line, field, reason}`",
                             "content": {NDJSON: {"schema": {"type": "string"}}}},
                       409: {"description": "the job has not finished yet"}})
def import_report(job: ReadableJob, runtime: RuntimeDep) -> Response:
    """Every rejection of a finished job, as NDJSON."""
    if job.status not in FINISHED:
        raise Conflict(f"import job {job.id} is {job.status}: its report is written when it "
                       "has finished")
    path = jobs_of(runtime).report(job.id)
    if not path.exists():
        return Response(b"", media_type=NDJSON)
    return FileResponse(path, media_type=NDJSON)




@router.delete("/{id}", status_code=204, response_class=Response,
               responses={409: {"description": "the job has not finished yet"}})
def delete_import(job: ReadableJob, caller: Annotated[Caller, require(Role.PROVIDER)],
                  runtime: RuntimeDep) -> Response:
    """Remove a finished job's state and report (its authority's providers, or an admin). The
    events it stored stay: the ledger never forgets a record."""
    if job.status not in FINISHED:
        raise Conflict(f"import job {job.id} is {job.status}: it can be removed once it has "
                       "finished")
    jobs_of(runtime).delete(job)
    return Response(status_code=204)
