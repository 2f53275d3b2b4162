"""What the uploads answer: the accepted job, and its status as it runs (docs/import.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["queued", "running", "done", "failed"]


class ImportAccepted(BaseModel):
    """The upload is queued as a job; poll `GET /v1/imports/{id}`."""

    id: str
    status: Status


class RejectionPublic(BaseModel):
    line: int = Field(description="line of the file (a CSV record's first line)")
    field: str
    reason: str


class ImportSummary(BaseModel):
    """An upload job without its rejections: a line of the list of jobs."""

    id: str
    status: Status
    authority: str = Field(description="the uploading authority (the token's)")
    actor: str
    filename: str
    format: Literal["csv", "ndjson"]
    bytes: int
    all_or_nothing: bool
    domain: str | None = Field(description="the domain given for penalties that name none")
    created_at: str
    started_at: str | None
    finished_at: str | None
    rows: int = Field(description="rows read so far (all of them once done)")
    bytes_read: int
    seconds: float
    rows_per_s: float
    events: int = Field(description="events stored by the run that finished (a re-run of "
                                    "rows stored before stores none)")
    stored: bool | None = Field(description="false: all_or_nothing and a row was rejected, "
                                            "nothing stored")
    rejected: int = Field(description="rejections (a row may break several rules)")
    rejected_rows: int
    error: str | None = Field(description="why the job failed")
    attempts: int = Field(description="runs started (more than one: resumed after a restart)")
    interrupted: int = Field(description="runs cut off by a server that stopped")
    note: str | None


class ImportStatus(ImportSummary):
    """An upload job: queued, running (figures so far), done or failed (with the reason)."""

    rejections: list[RejectionPublic] = Field(description="the first 100; "
                                                          "GET .../report has every one")


class ImportsPage(BaseModel):
    """Upload jobs, newest first: a provider's own authority's, or every one for auditors and
    admins. Finished jobs are kept LEDGER_IMPORTS_KEEP_DAYS (default 90) days."""

    page: int
    page_size: int
    total: int
    items: list[ImportSummary]
