"""Upload jobs kept on disk: one directory per job holds the uploaded file, the job's state and,
once it has finished, every rejection (docs/adr/021).

    <imports root>/<job id>/upload     the file as uploaded (deleted when the job finishes:
                                       it may hold ID numbers in clear)
                            state.json the job: who, what, status, figures (replaced atomically)
                            report.ndjson  every rejection, one JSON object a line
                            lock       held (flock) by the process running the job

A job appears at once with its file and state: both are written in a staging directory that
is then renamed into place. A job whose file is still there is unfinished; the lock says
whether a live process runs it (the kernel drops it when a process dies).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from ledger.importing.report import Rejection

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)
FIRST_REJECTIONS = 100  # shown in the job's status; the report holds them all
STAGING = ".incoming"
STALE_STAGING_S = 3600.0  # a refused or broken upload's leftovers, removed at the next start
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One upload: who sent what, how far its import got, and what it found."""

    id: str
    authority: str
    actor: str
    filename: str
    format: str
    bytes: int
    all_or_nothing: bool = False
    domain: str | None = None
    own_authority_only: bool = True
    created_at: str = field(default_factory=now)
    # Orders jobs created within one second of each other (created_at is to the second).
    created_ns: int = field(default_factory=time.time_ns)
    status: str = QUEUED
    started_at: str | None = None
    finished_at: str | None = None
    rows: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    events: int = 0
    rejected: int = 0  # rejections (one row may break several rules)
    rejected_rows: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)  # the first 100
    stored: bool | None = None
    error: str | None = None
    attempts: int = 0  # runs started
    interrupted: int = 0  # runs found cut off by a stopped process, at the next start
    note: str | None = None

    @property
    def rows_per_s(self) -> float:
        return round(self.rows / self.seconds, 1) if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"rows_per_s": self.rows_per_s}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Job:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def count(self, rows: int, rejected: list[Rejection], seconds: float) -> None:
        """Take the figures of the import so far (or in all)."""
        self.rows, self.seconds, self.rejected = rows, round(seconds, 3), len(rejected)
        self.rejected_rows = len({r.line for r in rejected})
        self.rejections = [as_json(r) for r in rejected[:FIRST_REJECTIONS]]


def as_json(rejection: Rejection) -> dict[str, Any]:
    return {"line": rejection.line, "field": rejection.field, "reason": rejection.reason}


class ImportJobs:
    """The jobs of one ledger, in one directory (Settings.imports_root)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def dir(self, job_id: str) -> Path:
        if not _ID.match(job_id):  # a path parameter: never a path of its own
            raise KeyError(job_id)
        return self.root / job_id

    def upload(self, job_id: str) -> Path:
        return self.dir(job_id) / "upload"

    def report(self, job_id: str) -> Path:
        return self.dir(job_id) / "report.ndjson"

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """A fresh staging directory for an upload; removed unless it became a job."""
        staging = self.root / STAGING / uuid.uuid4().hex
        staging.mkdir(parents=True, mode=0o700)
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def create(self, staging: Path, job: Job) -> Job:
        """Turn a staging directory holding `upload` into the queued job, all at once."""
        _write_json(staging / "state.json", job.as_dict())
        os.replace(staging, self.dir(job.id))
        return job

    def get(self, job_id: str) -> Job | None:
        try:
            raw = (self.dir(job_id) / "state.json").read_bytes()
        except (KeyError, FileNotFoundError):
            return None
        return Job.from_dict(orjson.loads(raw))

    def save(self, job: Job) -> None:
        _write_json(self.dir(job.id) / "state.json", job.as_dict())

    def unfinished(self) -> list[Job]:
        """Jobs whose file is still there, oldest first (queued, running, or cut off)."""
        if not self.root.is_dir():
            return []
        found = [self.get(path.parent.name) for path in self.root.glob("*/upload")]
        return sorted((j for j in found if j is not None),
                      key=lambda j: (j.created_at, j.created_ns))

    def listing(self, authority: str | None = None, status: str | None = None) -> list[Job]:
        """Every job (of one authority, in one status, when given), newest first."""
        if not self.root.is_dir():
            return []
        found = (self.get(path.parent.name) for path in self.root.glob("*/state.json"))
        return sorted((j for j in found if j is not None
                       and (authority is None or j.authority == authority)
                       and (status is None or j.status == status)),
                      key=lambda j: (j.created_at, j.created_ns, j.id), reverse=True)

    def delete(self, job: Job) -> None:
        """Remove a finished job: its state and its report (the upload is already gone)."""
        if job.status not in FINISHED:
            raise ValueError(f"import job {job.id} is {job.status}")
        shutil.rmtree(self.dir(job.id), ignore_errors=True)

    def expire(self, keep_days: int, now_s: float | None = None) -> int:
        """Remove the finished jobs that finished more than `keep_days` ago; how many."""
        cutoff = (time.time() if now_s is None else now_s) - keep_days * 86400.0
        old = [j for j in self.listing() if j.status in FINISHED and j.finished_at
               and datetime.fromisoformat(j.finished_at).timestamp() < cutoff]
        for job in old:
            self.delete(job)
        return len(old)

    def finish(self, job: Job, rejected: Iterable[Rejection]) -> None:
        """Write the report, then the final state, then drop the uploaded file."""
        report = self.report(job.id)
        with open(report.with_suffix(".tmp"), "wb") as f:
            for r in rejected:
                f.write(orjson.dumps(as_json(r)) + b"\n")
        os.replace(report.with_suffix(".tmp"), report)
        job.finished_at = now()
        self.save(job)
        self.upload(job.id).unlink(missing_ok=True)

    @contextmanager
    def claimed(self, job_id: str) -> Iterator[bool]:
        """Hold the job's lock while it runs; False if another live process holds it."""
        fd = os.open(self.dir(job_id) / "lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # releases the lock

    def sweep_staging(self) -> None:
        """Remove what refused or broken uploads left behind (never a job)."""
        cutoff = time.time() - STALE_STAGING_S
        for path in (self.root / STAGING).glob("*") if self.root.is_dir() else []:
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)


def _write_json(path: Path, value: Any) -> None:
    """Replace a file atomically: readers see the old state or the new, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(orjson.dumps(value))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
