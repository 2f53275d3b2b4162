"""The background service that runs uploaded files through the importer, one job at a time
(docs/adr/021). The same `import_file` as `credit-ledger import`: one code path.

At start it takes up every unfinished job: a queued one runs; one left `running` by a process
that stopped without a word (a crash, a kill) runs again from the top, which stores nothing
twice (the importer is idempotent), unless runs of it were cut off MAX_INTERRUPTED times
already: then it is failed, with the reason. A clean stop puts the running job back in the
queue. No job is ever left without a status that says what became of it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ledger.application import CreditLedger
from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.errors import DomainError
from ledger.importing.importer import import_file
from ledger.importing.jobs import DONE, FAILED, FINISHED, QUEUED, RUNNING, ImportJobs, Job, now
from ledger.importing.report import ImportReport
from ledger.importing.source import Source, SourceError
from ledger.privacy import redact
from ledger.runtime import Runtime

log = logging.getLogger(__name__)

MAX_INTERRUPTED = 2  # runs cut off by a stopped process before the job is failed instead
SAVE_EVERY_S = 0.5  # progress written to the job's state at most this often
POLL_S = 30.0  # a look for jobs queued by another process sharing the directory
EXPIRE_EVERY_S = 3600.0  # finished jobs past LEDGER_IMPORTS_KEEP_DAYS are removed this often


class Interrupted(Exception):
    """The process is stopping: the job goes back to the queue."""


class ImportWorker:
    """Runs queued upload jobs on its own thread, off the server's event loop."""

    name = "imports"

    def __init__(self, ledger: CreditLedger, jobs: ImportJobs, key: bytes,
                 poll: float = POLL_S, authorities: AuthorityCatalogue | None = None,
                 keep_days: int | None = None) -> None:
        self.ledger, self.jobs, self.key, self.poll = ledger, jobs, key, poll
        self.keep_days = keep_days  # None: finished jobs are kept until deleted
        self._expired_at = float("-inf")
        self.authorities = authorities  # LEDGER_AUTHORITIES_FILE's, as the CLI reads it
        self._wake = threading.Event()
        self.current: str | None = None
        self.finished = 0
        self.last_error: str | None = None

    def submit(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        self.jobs.sweep_staging()
        while not stop.is_set():
            self.expire()
            if self.run_next(stop):
                continue
            waited = 0.0
            while waited < self.poll and not stop.is_set() and not self._wake.wait(0.5):
                waited += 0.5
            self._wake.clear()

    def expire(self) -> None:
        """Remove finished jobs kept longer than `keep_days`, at most once an hour."""
        if self.keep_days is None or time.monotonic() - self._expired_at < EXPIRE_EVERY_S:
            return
        self._expired_at = time.monotonic()
        if removed := self.jobs.expire(self.keep_days):
            log.info("removed %d finished upload job(s) older than %d days", removed,
                     self.keep_days)

    def run_next(self, stop: threading.Event) -> bool:
        """Run the oldest unfinished job no live process holds; False if there is none."""
        for job in self.jobs.unfinished():
            with self.jobs.claimed(job.id) as mine:
                if mine:
                    self.current = job.id
                    try:
                        self._run(job.id, stop)
                    finally:
                        self.current = None
                    return True
        return False

    def status(self) -> dict[str, Any]:
        return {"ok": True, "running": self.current, "finished": self.finished,
                "last_error": self.last_error}

    def _run(self, job_id: str, stop: threading.Event) -> None:
        job = self.jobs.get(job_id)  # again, under the lock: another process may have run it
        if job is None:
            return
        if job.status in FINISHED:  # finished, but stopped before dropping its file
            self.jobs.upload(job.id).unlink(missing_ok=True)
            return
        if job.status == RUNNING:  # the process that ran it stopped without a word
            job.interrupted += 1
            if job.interrupted > MAX_INTERRUPTED:
                self._fail(job, f"the server stopped {job.interrupted} times while this job "
                                "ran; it is not resumed again: upload the file again")
                return
            job.note = ("resumed from the top after the server stopped while it ran; rows "
                        "stored before are not stored again")
        job.status, job.attempts = RUNNING, job.attempts + 1
        job.started_at = job.started_at or now()
        self.jobs.save(job)
        try:
            report = self._import(job, stop)
        except Interrupted:
            job.status = QUEUED
            job.note = "the server stopped while this job ran; it resumes at the next start"
            self.jobs.save(job)
        except Exception as e:  # any failure is the job's reason, shown to whoever polls it
            if stop.is_set():  # the store closed under a stopping server: not the file's fault
                job.status, job.note = QUEUED, "the server stopped while this job ran"
                self.jobs.save(job)
                return
            log.warning("import job %s failed: %s", job.id, redact(str(e)))
            self._fail(job, str(e) if isinstance(e, SourceError | DomainError)
                       else f"{type(e).__name__}: {e}")
        else:
            job.status, job.events, job.stored = DONE, report.events, report.stored
            job.bytes_read = job.bytes
            job.count(report.rows, report.rejected, report.seconds)
            if not report.stored:
                job.note = ("nothing stored (all_or_nothing): fix the rejected rows and "
                            "upload the file again")
            self.jobs.finish(job, report.rejected)
            self.finished += 1

    def _import(self, job: Job, stop: threading.Event) -> ImportReport:
        started, last = time.perf_counter(), 0.0

        def progress(source: Source, report: ImportReport) -> None:
            nonlocal last
            if stop.is_set():
                raise Interrupted
            elapsed = time.perf_counter() - started
            if elapsed - last >= SAVE_EVERY_S:
                last = elapsed
                job.count(report.rows, report.rejected, elapsed)
                job.bytes_read = source.position
                self.jobs.save(job)

        return import_file(self.ledger, self.jobs.upload(job.id), key=self.key,
                           authority=job.authority, fmt=job.format,
                           all_or_nothing=job.all_or_nothing, actor=job.actor,
                           progress=progress, domain=job.domain,
                           own_authority_only=job.own_authority_only,
                           authorities=self.authorities)

    def _fail(self, job: Job, reason: str) -> None:
        job.status, job.error = FAILED, redact(reason)
        self.last_error = f"{job.id}: {job.error}"
        self.jobs.finish(job, [])


def service_for(runtime: Runtime) -> ImportWorker | None:
    """The upload worker of `serve` (unless `--no-imports`)."""
    if not runtime.wanted.get("imports", False):
        return None
    settings = runtime.settings
    return ImportWorker(runtime.ledger, ImportJobs(settings.imports_root),
                        settings.pseudonym_key.get_secret_value().encode(),
                        authorities=AuthorityCatalogue.load(settings.authorities_file),
                        keep_days=settings.imports_keep_days)


def wake_workers(runtime: Runtime) -> None:
    """A new upload was queued: wake this process's worker, if it runs one (else the job
    waits, durable, for the next process that does)."""
    for service in runtime.services:
        if isinstance(service, ImportWorker):
            service.submit()
