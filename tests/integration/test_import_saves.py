"""Bulk import stories about saving: all or nothing, the per-save cap, small batches and two
processes recording what one big batch records, and a concurrent write kept. The same on the
embedded SQLite store and on real PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

from ledger.application import CreditLedger
from ledger.domain.subject import Subject
from ledger.generator.city import generate
from ledger.importing.importer import DEFAULT_CAP, Importer, ImportReport, import_file
from ledger.importing.parallel import import_parallel
from ledger.importing.source import Source
from ledger.settings import Settings
from tests.calls import decide
from tests.integration._import_helpers import (
    ACME,
    KEY,
    MARKET,
    Ledgers,
    penalty,
    run,
    stored,
    write_ndjson,
)


def test_all_or_nothing_stores_nothing_when_one_row_is_bad(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    city = list(generate(60, seed=8))
    bad = dict(next(r for r in city if r["record"] == "permit"), published_on="2001-01-01")
    path = write_ndjson(tmp_path / "city.ndjson", [*city, bad])
    report = run(ledger, path, all_or_nothing=True)
    assert not report.stored and [(r.line, r.field) for r in report.rejected] == [
        (len(city) + 1, "published_on")]
    assert ledger.head_position() == 0
    # Without the bad row the same file goes in whole.
    report = run(ledger, write_ndjson(tmp_path / "fixed.ndjson", city), all_or_nothing=True)
    assert report.stored and report.rejected == [] and ledger.head_position() == report.events


def test_a_save_at_the_per_save_cap_goes_through(ledger: CreditLedger, tmp_path: Path) -> None:
    city = list(generate(720, seed=21))
    assert len(city) > DEFAULT_CAP
    report = run(ledger, write_ndjson(tmp_path / "city.ndjson", city))
    assert report.largest_save == DEFAULT_CAP and report.saves == 2
    assert report.events == ledger.head_position()


def test_small_batches_record_exactly_what_one_big_batch_records(
    ledgers: Ledgers, tmp_path: Path,
) -> None:
    path = write_ndjson(tmp_path / "city.ndjson", list(generate(80, seed=5)))
    big, small = ledgers("a"), ledgers("b")
    Importer(big, key=KEY).run(Source(path))
    # Subjects' rows straddle chunks and saves: the cache carries them from batch to batch.
    report = Importer(small, key=KEY, chunk_rows=7, cap=50).run(Source(path))
    assert report.largest_save <= 50 and report.saves > 5

    assert facts(big) == facts(small)


def facts(ledger: CreditLedger) -> list[tuple[Any, ...]]:
    """What was recorded, whatever the order of saves and the time of recording."""
    return sorted((e["stream"], e["version"], e["type"], orjson.dumps(e["data"]))
                  for e in stored(ledger))


def test_two_processes_record_what_one_records_and_a_rerun_adds_nothing(
    ledgers: Ledgers, database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    path = write_ndjson(tmp_path / "city.ndjson", list(generate(100, seed=9)))
    one = ledgers("one")
    alone = import_file(one, path, key=KEY)
    two = ledgers("two")  # its tables exist before the processes start, as in the CLI
    settings = Settings(database_url=database_url.replace(".sqlite3", "two.sqlite3"),
                        app_name=unique_name + "two", pseudonym_key=KEY.decode())
    shared = import_parallel(settings, path, workers=2)
    assert shared.rejected == [] and shared.rows == alone.rows
    assert shared.events == alone.events == two.head_position()
    assert facts(two) == facts(one)
    assert import_parallel(settings, path, workers=2).events == 0


def test_all_or_nothing_holds_across_processes(
    ledger: CreditLedger, database_url: str, unique_name: str, tmp_path: Path,
) -> None:
    city = list(generate(60, seed=8))
    bad = dict(next(r for r in city if r["record"] == "penalty"), severity="grave")
    path = write_ndjson(tmp_path / "city.ndjson", [*city, bad])
    settings = Settings(database_url=database_url, app_name=unique_name,
                        pseudonym_key=KEY.decode())
    report = import_parallel(settings, path, workers=2, all_or_nothing=True)
    # One process found the bad row; the other decided its share cleanly and saved nothing.
    assert not report.stored and [(r.line, r.field) for r in report.rejected] == [
        (len(city) + 1, "severity")]
    assert ledger.head_position() == 0


def test_a_concurrent_write_during_an_import_is_kept_and_the_import_completes(
    ledger: CreditLedger, tmp_path: Path,
) -> None:
    # ACME's rows fall in two chunks; between them a clerk records a permit through the API path.
    records = [{"record": "subject", "code": ACME, "name": "鑫达石化", "kind": "enterprise"},
               penalty("P-1"), penalty("P-2"), penalty("P-3"), penalty("P-4")]
    path = write_ndjson(tmp_path / "acme.ndjson", records)
    clerk_wrote: list[int] = []

    def between_chunks(report: ImportReport) -> None:
        if report.rows == 2 and not clerk_wrote:
            while ledger.head_position() < 2:  # the first chunk is saved
                time.sleep(0.01)
            receipt, _ = decide(ledger, ACME, lambda s: grant(s, ledger))
            clerk_wrote.append(receipt.position)

    report = Importer(ledger, key=KEY, authority=MARKET, chunk_rows=2, cap=2,
                      progress=between_chunks).run(Source(path))
    # The importer's next save conflicted; it started over, and the rows stored already
    # were no-ops the second time round.
    assert clerk_wrote and report.restarts == 1 and report.rejected == []
    acme = ledger.subject(ACME)
    assert len(acme.penalties) == 4 and len(acme.permits) == 1
    assert acme.version == 6 and report.events == 5  # the clerk's permit is not the import's


def grant(s: Subject, ledger: CreditLedger) -> int:
    return s.grant_permit(authority=MARKET, actor="clerk-1", decision_no="许-1", category="普通",
                          decided_on=ledger.clock(), published_on=ledger.clock(), details={},
                          today=ledger.clock(), calendar=ledger.calendar)

