"""Upload jobs on disk: a job appears whole or not at all, one holder runs it, and an id is never
a path."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ledger.importing.jobs import ImportJobs, Job
from ledger.importing.report import Rejection
from ledger.importing.upload import UploadRefused, format_of


def queued(jobs: ImportJobs, content: bytes = b"{}\n") -> Job:
    with jobs.staged() as staging:
        (staging / "upload").write_bytes(content)
        return jobs.create(staging, Job(id=str(uuid.uuid4()), authority="A", actor="clerk",
                                        filename="f.ndjson", format="ndjson",
                                        bytes=len(content)))


def test_a_refused_upload_leaves_nothing_and_a_job_appears_whole(tmp_path: Path) -> None:
    jobs = ImportJobs(tmp_path)
    with pytest.raises(UploadRefused), jobs.staged() as staging:
        (staging / "upload").write_bytes(b"half")
        raise UploadRefused("file", "header", "refused")
    assert list((tmp_path / ".incoming").iterdir()) == []
    job = queued(jobs)
    assert [j.id for j in jobs.unfinished()] == [job.id]
    assert jobs.get(job.id) == job and list((tmp_path / ".incoming").iterdir()) == []


def test_a_finished_job_keeps_its_state_and_report_and_drops_the_file(tmp_path: Path) -> None:
    jobs = ImportJobs(tmp_path)
    job = queued(jobs)
    job.status = "done"
    job.count(3, [Rejection(2, "severity", "bad")], 0.5)
    jobs.finish(job, [Rejection(2, "severity", "bad")])
    assert jobs.unfinished() == [] and not jobs.upload(job.id).exists()
    found = jobs.get(job.id)
    assert found is not None and (found.status, found.rows_per_s, found.rejected_rows) == (
        "done", 6.0, 1)
    assert jobs.report(job.id).read_text() == '{"line":2,"field":"severity","reason":"bad"}\n'


def test_one_holder_runs_a_job_at_a_time(tmp_path: Path) -> None:
    jobs = ImportJobs(tmp_path)
    job = queued(jobs)
    with jobs.claimed(job.id) as first, jobs.claimed(job.id) as second:
        assert (first, second) == (True, False)
    with jobs.claimed(job.id) as again:
        assert again


def test_an_id_is_never_a_path(tmp_path: Path) -> None:
    jobs = ImportJobs(tmp_path / "app")
    (tmp_path / "state.json").write_text("{}")
    assert jobs.get("..") is None and jobs.get("../state.json") is None


@pytest.mark.parametrize(("name", "given", "found"), [
    ("x.csv", None, "csv"), ("X.JSONL", None, "ndjson"), ("x.txt", "csv", "csv"),
])
def test_the_format_is_given_or_told_by_the_name(name: str, given: str | None,
                                                 found: str) -> None:
    assert format_of(name, given) == found


def test_a_name_that_does_not_tell_the_format_is_refused_by_field() -> None:
    with pytest.raises(UploadRefused) as refused:
        format_of("处罚.xlsx", None)
    assert (refused.value.field, refused.value.rule) == ("format", "unknown_format")
