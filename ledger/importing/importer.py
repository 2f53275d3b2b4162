"""Bulk import of NDJSON records and double-publicity CSV files (docs/import.md).

Rows are validated like API requests and decided by the same aggregate methods; the events
of many subjects go to one save(), at most `cap` events each, built while the previous
batch is being inserted. Idempotency comes from the aggregates: a re-run adds nothing.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.application import CreditLedger
from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.errors import Conflict, DomainError
from ledger.domain.labels import code_of
from ledger.domain.subject import Subject, subject_stream
from ledger.domain.vocabulary import Domain
from ledger.importing.apply import Context, apply_row
from ledger.importing.bulk_store import Writer, load_subjects
from ledger.importing.civil import apply_civil
from ledger.importing.csv_layout import TemplateContext
from ledger.importing.report import ImportReport
from ledger.importing.rows import CIVIL_RECORDS, Row, RowError, parse_record
from ledger.importing.source import Source, SourceError

# Events per save(): one save is one transaction holding the table lock. A save of about
# 40,000 events hung psycopg's pipeline here (DESIGN.md); a few thousand is as fast.
DEFAULT_CAP = 3000
CHUNK_ROWS = 1000  # rows validated and decided between two reads of the store
CACHE_LIMIT = 200_000  # subjects kept in memory before the cache is emptied


class Importer:
    """Imports rows into one ledger; `run` may be called once per source."""

    def __init__(
        self, ledger: CreditLedger, *, key: bytes, authority: str | None = None,
        actor: str = "import", cap: int = DEFAULT_CAP, chunk_rows: int = CHUNK_ROWS,
        cache_limit: int = CACHE_LIMIT, progress: Callable[[ImportReport], None] | None = None,
        approve: Callable[[ImportReport], bool] | None = None, domain: str | None = None,
        own_authority_only: bool = False,
        defer_civil: bool = False,
    ) -> None:
        self.ledger, self.key, self.authority, self.actor = ledger, key, authority, actor
        # Uploads over HTTP record under the token's authority only: a row naming another is
        # rejected (the CLI, run by the operator, lets rows name their own).
        self.own_authority_only = own_authority_only
        self.domain = domain  # for penalty records that name none
        self.cap, self.chunk_rows, self.cache_limit = cap, chunk_rows, cache_limit
        self.progress = progress or (lambda _: None)
        # All-or-nothing: may the decided rows be saved? (Default: if none was rejected.
        # Parallel imports ask every process first.)
        self.approve = approve or (lambda report: not report.rejected)
        # Keyed by subject code: a str hashes in C, a UUID in Python (it showed in profiles).
        self.cache: dict[str, Subject] = {}
        self.absent: set[str] = set()
        self.people: dict[str, str] = {}  # resident ID -> pseudonym, for this run only
        self.saved = 0  # events stored by the current pass
        self.civil: list[Row] = []  # civil servants' rows, decided once the subjects are stored
        # A parallel import's worker leaves them to the parent, once every worker is done.
        self.defer_civil = defer_civil

    def run(self, source: Iterable[tuple[int, Any]], *, all_or_nothing: bool = False
            ) -> ImportReport:
        """Import every valid row (or, all-or-nothing, none if any row is invalid)."""
        started, earlier = time.perf_counter(), 0
        for attempt in range(self.ledger.conflict_retries + 1):
            try:
                with fewer_collections():
                    report = self._run_once(source, all_or_nothing)
            except IntegrityError:
                earlier += self.saved  # stored before the conflict; they stay stored
                if iter(source) is source:
                    break  # a one-shot iterator cannot be read again
                # Another writer saved one of these subjects first. Start over: rows already
                # stored are no-ops the second time round.
                continue
            report.seconds, report.restarts = time.perf_counter() - started, attempt
            report.events += earlier
            return report
        raise Conflict("subjects in this file were written concurrently; run the import again")

    def _run_once(self, source: Iterable[tuple[int, Any]], all_or_nothing: bool
                  ) -> ImportReport:
        report, ctx = ImportReport(), Context(self.ledger.clock(), self.ledger.calendar,
                                              self.actor, self.ledger.policy)
        self._forget()
        self.saved, self.civil = 0, []
        writer = None if all_or_nothing else Writer(self.ledger)
        held: list[Any] = []  # events built, not yet handed to the writer
        try:
            for chunk in batched(source, self.chunk_rows):
                touched = self.decide(chunk, ctx, report)
                if writer is not None:
                    held = self._hand_over(writer, held + _collect(touched), whole=False)
                    if len(self.cache) > self.cache_limit:
                        held = self._hand_over(writer, held, whole=True)
                        writer.drain()  # everything cached is stored: safe to forget it
                        self._forget()
                self.progress(report)
            if writer is None:
                if not self.approve(report):
                    report.stored = False
                    return report
                writer = Writer(self.ledger)
                held = _collect(self.cache.values())
            self._hand_over(writer, held, whole=True)
            writer.close()
        finally:
            if writer is not None:
                writer.abort()
                self.saved = writer.events
        report.events, report.saves, report.largest_save = (
            writer.events, writer.saves, writer.largest)
        if not self.defer_civil:
            report.events += apply_civil(self.ledger, self.civil, self.actor, report)
        return report

    def _forget(self) -> None:
        self.cache, self.absent, self.people = {}, set(), {}

    def _hand_over(self, writer: Writer, events: list[Any], *, whole: bool) -> list[Any]:
        """Submit full saves of `cap` events (and the rest too if whole); return what is left."""
        end = len(events) if whole else len(events) - len(events) % self.cap
        for start in range(0, end, self.cap):
            writer.submit(events[start:min(start + self.cap, end)])
        return events[end:]

    def decide(self, chunk: Iterable[tuple[int, Any]], ctx: Context, report: ImportReport
               ) -> list[Subject]:
        """Validate and decide one chunk of rows, saving nothing: the subjects it changed, their
        new events pending (`run` saves them; bench.ingest times this step alone)."""
        rows: list[Row] = []
        for line, obj in chunk:
            report.rows += 1
            try:
                if isinstance(obj, RowError):
                    raise obj
                if self.domain and isinstance(obj, dict) and obj.get("record") == "penalty" \
                        and not obj.get("domain"):
                    obj = obj | {"domain": self.domain}
                row = parse_record(obj, line, self.authority, self.key, self.people)
                if self.own_authority_only and row.authority != self.authority:
                    raise RowError([("authority", f"must be the uploading authority "
                                                  f"{self.authority}, not {row.authority}")])
            except RowError as e:
                report.reject(line, e, getattr(obj, "columns", None))
                continue
            if row.record in CIVIL_RECORDS:
                self.civil.append(row)
                continue
            rows.append(row)
        self._load({row.subject for row in rows}
                   | {row.alt_subject for row in rows if row.alt_subject is not None})
        touched: dict[str, Subject] = {}
        for row in rows:
            subject = self.cache.get(row.subject)
            if subject is None and row.alt_subject in self.cache:  # an organisation after all
                row = replace(row, subject=row.alt_subject, alt_subject=None)
                subject = self.cache[row.subject]
            try:
                subject = apply_row(row, subject, ctx)
            except (DomainError, RowError) as e:
                report.reject(row.line, e, row.columns)
                continue
            self.cache[row.subject] = touched[row.subject] = subject
        # What the chunk built stays alive (cached subjects, held events): keep the cyclic GC
        # from scanning it again and again (fewer_collections unfreezes it at the end).
        gc.freeze()
        return list(touched.values())

    def _load(self, codes: set[str]) -> None:
        """Read the stored subjects this chunk needs and has not seen, in a few queries."""
        missing = {subject_stream(c): c for c in codes if c not in self.cache
                   and c not in self.absent}
        found = load_subjects(self.ledger, list(missing))
        self.cache.update((missing[sid], subject) for sid, subject in found.items())
        self.absent.update(c for sid, c in missing.items() if sid not in found)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic GC less often while many objects stay alive (subjects, events).

    At the default thresholds it re-scanned the growing heap over and over: a fifth of the
    import's CPU on a 100,000-event file; even at these, a quarter of deciding at 100,000
    events, hence also gc.freeze() after each chunk. Restored afterwards, the frozen objects
    handed back to the collector (the process may be a server).
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, n)):
        yield chunk


def _collect(subjects: Iterable[Subject]) -> list[Any]:
    return [event for subject in subjects for event in subject.collect_events()]


def import_file(
    ledger: CreditLedger, path: Path, *, key: bytes, authority: str | None = None,
    fmt: str | None = None, all_or_nothing: bool = False, actor: str = "import",
    progress: Callable[[Source, ImportReport], None] | None = None,
    domain: str | None = None, authorities: AuthorityCatalogue | None = None,
    own_authority_only: bool = False,
) -> ImportReport:
    """Import one NDJSON or CSV file (format from the name unless given).

    A CSV file's penalties without a 领域 column, and NDJSON penalties that name none, are in
    `domain` (a code or its label); a CSV file's otherwise in their authority's default domain
    in `authorities` (default: the shipped catalogue; pass
    `ledger.build.build_authorities(settings)` to honour LEDGER_AUTHORITIES_FILE).
    `own_authority_only`: reject rows that name an authority other than `authority` (uploads
    over HTTP, docs/adr/021).
    """
    source = Source(path, fmt, template_context(ledger.clock(), domain, authorities, authority))
    importer = Importer(ledger, key=key, authority=authority, actor=actor,
                        progress=(lambda r: progress(source, r)) if progress else None,
                        domain=domain, own_authority_only=own_authority_only)
    return importer.run(source, all_or_nothing=all_or_nothing)


def template_context(today: date, domain: str | None, authorities: AuthorityCatalogue | None,
                     authority: str | None) -> TemplateContext:
    """What a template file's derivations read; a `domain` that names no domain refuses the
    import before anything is read (SourceError, listing the domains)."""
    try:
        chosen = code_of(Domain, domain) if domain else None
    except ValueError as e:
        raise SourceError(f"domain: {e}") from None
    return TemplateContext(today, chosen, authorities or AuthorityCatalogue.load(), authority)


def records(objs: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    """Records already in memory (e.g. generated), numbered like lines of a file."""
    return enumerate(objs, start=1)
