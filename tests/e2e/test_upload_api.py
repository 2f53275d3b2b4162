"""A department's data officer uploads the files it exports, over HTTP, and follows each job:
rows read, events stored, every rejection. SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.store.notifications import envelope_from_notification
from tests.upload_story import (
    ACME,
    BETA,
    MARKET,
    PERMITS_CSV,
    Server,
    Site,
    penalties_ndjson,
)


@pytest.fixture
def server(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Server]:
    with Site.make(database_url, unique_name, tmp_path).serve() as served:
        yield served


def test_a_csv_export_is_uploaded_imported_and_its_rejections_reported(server: Server) -> None:
    job_id = server.accepted("双公示-许可-2026.csv", PERMITS_CSV.encode("gb18030"))
    done = server.finished(job_id)
    # Four rows read: two permits stored (each registering its company), two rejected.
    assert (done["status"], done["format"], done["rows"], done["rejected_rows"]) == (
        "done", "csv", 4, 2)
    assert done["events"] == 4 and done["stored"] is True and done["error"] is None
    assert done["authority"] == MARKET and done["filename"] == "双公示-许可-2026.csv"
    assert done["rows_per_s"] > 0 and done["bytes_read"] == done["bytes"]
    # A rejection names the file's own column, with the field it feeds.
    assert {(r["line"], r["field"]) for r in done["rejections"]} >= {
        (3, "统一社会信用代码 (subject)"), (4, "公示日期 (published_on)")}
    # The ID number of the rejected person is never quoted back.
    assert "211103199001011235" not in json.dumps(done)
    # The report has every rejection, one JSON object a line.
    report = server.report(job_id)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in report.text.splitlines()]
    assert lines == done["rejections"] and len(lines) == done["rejected"]
    # What was stored was recorded by the uploading department, as its clerk.
    events = [envelope_from_notification(n)
              for n in server.ledger.recorder.select_notifications(start=1, limit=100)]
    assert {(e["authority"], e["actor"]) for e in events} == {(MARKET, "market-clerk")}
    assert {e["subject"] for e in events} == {ACME, BETA}


def test_an_ndjson_file_rows_of_another_authority_are_rejected(server: Server) -> None:
    job_id = server.accepted("penalties.ndjson", penalties_ndjson())
    done = server.finished(job_id)
    assert (done["status"], done["format"], done["rows"], done["events"]) == (
        "done", "ndjson", 4, 2)
    rejected = {r["line"]: r for r in done["rejections"]}
    assert rejected[3]["field"] == "severity"
    # A provider uploads under its token's authority only: a row naming another is refused.
    assert rejected[4]["field"] == "authority" and MARKET in rejected[4]["reason"]


def test_the_same_file_uploaded_again_adds_nothing(server: Server) -> None:
    first = server.finished(server.accepted("permits.csv", PERMITS_CSV))
    head = server.ledger.head_position()
    again = server.finished(server.accepted("permits.csv", PERMITS_CSV))
    assert first["events"] == 4 and again["events"] == 0
    assert again["rejected"] == first["rejected"]
    assert server.ledger.head_position() == head


def test_all_or_nothing_stores_nothing_when_a_row_is_rejected(server: Server) -> None:
    done = server.finished(server.accepted("permits.csv", PERMITS_CSV, all_or_nothing=True))
    assert (done["status"], done["stored"], done["events"]) == ("done", False, 0)
    assert "nothing stored" in done["note"]
    assert server.ledger.head_position() == 0


def test_only_the_uploading_authority_auditors_and_admins_read_a_job(server: Server) -> None:
    job_id = server.accepted("permits.csv", PERMITS_CSV)
    server.finished(job_id)
    unknown = "00000000-0000-4000-8000-000000000000"
    # Another department learns nothing, not even that the job exists.
    for path in (job_id, f"{job_id}/report"):
        other = server.client.get(f"/v1/imports/{path}", headers={"Authorization":
                                                                   "Bearer tok-tax"})
        missing = server.client.get(f"/v1/imports/{unknown}" + path[len(job_id):],
                                    headers={"Authorization": "Bearer tok-tax"})
        assert (other.status_code, missing.status_code) == (404, 404)
        assert other.json()["detail"].replace(job_id, "?") == \
            missing.json()["detail"].replace(unknown, "?")
    assert server.job(job_id, "tok-officer").status_code == 403  # not a role that reads jobs
    assert server.job(job_id, "tok-auditor").status_code == 200
    assert server.report(job_id, "tok-admin").status_code == 200
    assert server.client.get(f"/v1/imports/{job_id}").status_code == 401
    # Uploading needs a provider's token naming its department.
    assert server.upload("p.csv", PERMITS_CSV, token="tok-auditor").status_code == 403
    assert server.upload("p.csv", PERMITS_CSV, token="tok-nobody").status_code == 403


def test_the_report_waits_for_the_job_to_finish(database_url: str, unique_name: str,
                                                tmp_path: Path) -> None:
    # A server without the worker: the job stays queued (and durable) until one runs.
    with Site.make(database_url, unique_name, tmp_path).serve(imports=False) as server:
        job_id = server.accepted("permits.csv", PERMITS_CSV)
        assert server.job(job_id).json()["status"] == "queued"
        waiting = server.report(job_id)
        assert waiting.status_code == 409 and "queued" in waiting.json()["detail"]


@pytest.mark.parametrize(("name", "content", "form", "field", "rule"), [
    pytest.param("permits.csv", b"", {}, "file", "empty", id="empty file"),
    pytest.param("permits.xlsx", b"PK\x03\x04", {}, "format", "unknown_format",
                 id="a spreadsheet"),
    pytest.param("permits.csv", b"x", {"format": "xml"}, "format", "literal_error",
                 id="unknown format"),
    pytest.param("penalties.ndjson", b"{}\n", {"domain": "weather"}, "domain", "enum",
                 id="unknown domain"),
    pytest.param("penalties.ndjson", '{"record": "subject"}\n'.encode("gb18030") + "{\"名\": 1}"
                 .encode("gb18030"), {}, "file", "encoding", id="NDJSON not in UTF-8"),
    pytest.param("permits.csv", b"a,b\n\x81\x30\x81\n", {}, "file", "encoding",
                 id="CSV neither UTF-8 nor GB18030"),
    pytest.param("permits.csv", PERMITS_CSV.replace("许可类别", "许可种类").encode(), {},
                 "file", "header", id="an unknown column"),
])
def test_a_file_that_cannot_be_imported_is_refused_whole(
    server: Server, name: str, content: bytes, form: dict[str, str], field: str, rule: str,
) -> None:
    answer = server.upload(name, content, **form)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert {(e["field"], e["rule"]) for e in answer.json()["errors"]} == {(field, rule)}
    nothing_kept(server)


def test_no_file_is_refused_by_name(server: Server) -> None:
    answer = server.client.post("/v1/imports", data={"format": "csv"},
                                headers={"Authorization": "Bearer tok-market"})
    assert answer.status_code == 422
    assert [(e["field"], e["rule"]) for e in answer.json()["errors"]] == [("file", "missing")]
    nothing_kept(server)


def test_an_unknown_column_is_named_with_the_header_problem(server: Server) -> None:
    answer = server.upload("permits.csv", PERMITS_CSV.replace("许可类别", "许可种类"))
    assert "'许可种类'" in answer.json()["detail"]


def test_a_file_over_the_limit_is_refused_before_anything_is_kept(
    database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    limit = len(PERMITS_CSV.encode())
    site = Site.make(database_url, unique_name, tmp_path, imports_max_bytes=limit)
    with site.serve() as server:
        # Right at the limit: accepted.
        server.finished(server.accepted("permits.csv", PERMITS_CSV))
        head = server.ledger.head_position()
        jobs = len(list(server.jobs.root.glob("*-*")))
        # Over it, with its length declared ...
        big = PERMITS_CSV + "#" * 70_000
        answer = server.upload("permits.csv", big)
        assert answer.status_code == 413, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        # ... or sent in chunks, with no length: counted as it arrives.
        boundary = "b0undary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"permits.csv\"\r\n\r\n{big}\r\n--{boundary}--\r\n").encode()
        chunked = server.client.post(
            "/v1/imports", content=iter([body[i:i + 4096] for i in range(0, len(body), 4096)]),
            headers={"Authorization": "Bearer tok-market",
                     "Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert chunked.status_code == 413, chunked.text
        assert "limited to" in chunked.json()["detail"], chunked.text
        # ... or just over the file limit, within the request's envelope.
        assert server.upload("permits.csv", PERMITS_CSV + "#").status_code == 413
        assert server.ledger.head_position() == head
        assert len(list(server.jobs.root.glob("*-*"))) == jobs
        assert list((server.jobs.root / ".incoming").iterdir()) == []


def nothing_kept(server: Server) -> None:
    """A refused upload leaves no job, no file, and no event."""
    assert server.ledger.head_position() == 0
    root = server.jobs.root
    assert [p for p in root.glob("*") if p.name != ".incoming"] == [] if root.exists() else True
    assert not any((root / ".incoming").glob("*"))
