"""A department's data officer finds the uploads it sent, newest first, and removes the ones it
no longer needs; finished jobs are removed on their own after LEDGER_IMPORTS_KEEP_DAYS.
SQLite and PostgreSQL alike."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from ledger.importing.worker import ImportWorker
from ledger.settings import Settings
from tests.upload_story import PERMITS_CSV, Server, Site, bearer, penalties_ndjson, stored_events


@pytest.fixture
def server(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Server]:
    with Site.make(database_url, unique_name, tmp_path).serve() as served:
        yield served


def listed(server: Server, token: str = "tok-market", **query: str | int) -> dict:
    answer = server.client.get("/v1/imports", params=query, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_department_lists_its_own_uploads_newest_first(server: Server) -> None:
    first = server.accepted("许可-1月.csv", PERMITS_CSV)
    server.finished(first)
    second = server.accepted("处罚.ndjson", penalties_ndjson())
    server.finished(second)
    theirs = server.accepted("tax.csv", PERMITS_CSV, token="tok-tax")
    server.finished(theirs, token="tok-tax")

    mine = listed(server)
    assert mine["total"] == 2
    assert [j["id"] for j in mine["items"]] == [second, first]
    assert [j["filename"] for j in mine["items"]] == ["处罚.ndjson", "许可-1月.csv"]
    # A line of the list has the job's figures, not its rejections (GET /{id} has those).
    line = mine["items"][1]
    assert (line["status"], line["rows"], line["rejected_rows"]) == ("done", 4, 2)
    assert "rejections" not in line
    # Paged, and filtered by status.
    page = listed(server, page=2, page_size=1)
    assert (page["total"], [j["id"] for j in page["items"]]) == (2, [first])
    assert listed(server, status="queued")["total"] == 0
    # Auditors and admins see every department's uploads; an officer none.
    assert {j["id"] for j in listed(server, "tok-auditor")["items"]} == {first, second, theirs}
    assert listed(server, "tok-admin")["total"] == 3
    assert server.client.get("/v1/imports", headers=bearer("tok-officer")).status_code == 403
    assert server.client.get("/v1/imports").status_code == 401


def test_a_filter_the_list_does_not_know_is_named(server: Server) -> None:
    for query, field in (({"status": "finished"}, "status"), ({"page_size": 500}, "page_size"),
                         ({"page": 0}, "page")):
        answer = server.client.get("/v1/imports", params=query, headers=bearer("tok-market"))
        assert answer.status_code == 422, answer.text
        assert field in answer.text


def test_a_finished_upload_is_removed_but_what_it_stored_stays(server: Server) -> None:
    job_id = server.accepted("permits.csv", PERMITS_CSV)
    done = server.finished(job_id)
    events = stored_events(server.ledger)
    assert done["events"] == 4 and events >= 4
    # Another department cannot remove it, nor learn that it exists; an auditor only reads.
    assert server.client.delete(f"/v1/imports/{job_id}",
                                headers=bearer("tok-tax")).status_code == 404
    assert server.client.delete(f"/v1/imports/{job_id}",
                                headers=bearer("tok-auditor")).status_code == 403
    removed = server.client.delete(f"/v1/imports/{job_id}", headers=bearer("tok-market"))
    assert removed.status_code == 204
    assert server.job(job_id).status_code == 404
    assert listed(server)["total"] == 0
    assert not server.jobs.dir(job_id).exists()
    assert stored_events(server.ledger) == events  # the ledger never forgets a record
    again = server.client.delete(f"/v1/imports/{job_id}", headers=bearer("tok-market"))
    assert again.status_code == 404


def test_a_job_still_waiting_is_not_removed(database_url: str, unique_name: str,
                                            tmp_path: Path) -> None:
    with Site.make(database_url, unique_name, tmp_path).serve(imports=False) as server:
        job_id = server.accepted("permits.csv", PERMITS_CSV)
        refused = server.client.delete(f"/v1/imports/{job_id}", headers=bearer("tok-admin"))
        assert refused.status_code == 409 and "queued" in refused.json()["detail"]
        assert server.job(job_id).json()["status"] == "queued"
        assert listed(server, status="queued")["total"] == 1


def test_finished_jobs_past_the_keeping_time_are_removed_by_the_worker(
        server: Server) -> None:
    old = server.accepted("permits.csv", PERMITS_CSV)
    server.finished(old)
    assert [j.id for j in server.jobs.listing()] == [old]
    # Ninety-one days on, the worker's next look removes the finished job, nothing else.
    later = time.time() + 91 * 86400
    assert server.jobs.expire(90, now_s=later) == 1
    assert server.job(old).status_code == 404
    assert server.jobs.expire(90, now_s=later) == 0
    # The served worker was given the setting (default 90 days).
    worker = next(s for s in server_services(server) if isinstance(s, ImportWorker))
    assert worker.keep_days == 90


def server_services(server: Server) -> list[object]:
    return list(server.client.app.state.runtime.services)  # type: ignore[attr-defined]


def test_the_keeping_time_is_checked_at_start() -> None:
    with pytest.raises(ValidationError, match="imports_keep_days"):
        Settings(imports_keep_days=0)
