"""One file imported by several processes, each deciding and saving its own share of subjects.

Deciding rows is Python work under one interpreter lock; the way past one core is to shard
subjects over processes, as DESIGN.md shards them over ledgers. Every process reads the whole
file and takes the rows of its subjects (so a subject's rows keep their order); its saves
interleave with the others' under the store's table lock. Order across subjects was never
promised.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import queue
import resource
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ledger.build import build_authorities, build_ledger
from ledger.importing.civil import apply_civil
from ledger.importing.importer import Importer, template_context
from ledger.importing.report import ImportReport
from ledger.importing.rows import RowError, subject_ref
from ledger.importing.source import Source
from ledger.settings import Settings

Progress = Callable[[int, int, int], None]  # rows done, bytes read (slowest process), size
PRELOAD = ["__main__", "ledger.importing.parallel", "ledger.build"]


def shard_of(obj: Any, shards: int, key: bytes) -> int:
    """The process that owns a row's subject; rows that name none go to the first."""
    raw = _reference(obj)
    return 0 if shards == 1 or raw is None else _owner(raw, shards, key)


def _reference(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    raw = obj.get("code") if obj.get("record") == "subject" else obj.get("subject")
    return raw if isinstance(raw, str) else None


def _owner(raw: str, shards: int, key: bytes) -> int:
    try:
        code = subject_ref(raw, key)[0]
    except RowError:
        return 0  # rejected by that process, like any row it cannot read
    return zlib.crc32(code.encode()) % shards


def _share(source: Source, shard: int, shards: int, key: bytes) -> Iterator[tuple[int, Any]]:
    owners: dict[str, int] = {}  # a subject's rows recur: route each reference once
    for line, obj in source:
        raw = _reference(obj)
        if raw is None:
            owner = 0
        elif (owner := owners.get(raw, -1)) < 0:
            if len(owners) > 500_000:
                owners.clear()  # bounded memory; routing again is only slower
            owner = owners[raw] = _owner(raw, shards, key)
        if owner == shard:
            yield line, obj


class _Share:
    """Re-iterable (for restarts) view of one process's rows."""

    def __init__(self, source: Source, shard: int, shards: int, key: bytes) -> None:
        self.source, self.shard, self.shards, self.key = source, shard, shards, key

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return _share(self.source, self.shard, self.shards, self.key)


def import_parallel(
    settings: Settings, path: Path, *, workers: int, authority: str | None = None,
    fmt: str | None = None, all_or_nothing: bool = False, actor: str = "import",
    progress: Progress | None = None, domain: str | None = None,
) -> ImportReport:
    """Import with `workers` processes; the merged report reads like a one-process import.

    `domain` as for `import_file`; the authority catalogue is the settings' own.
    """
    template_context(date.today(), domain, None, authority)  # a bad domain fails here, once
    # Workers fork from a server process started afresh (no inherited connections, threads
    # or locks), which imports the import's modules once for all of them: spawning each
    # worker cost it about 0.6 s of CPU importing them again.
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    inbox: Any = context.Queue()
    verdict, go = context.Event(), context.Value("b", 0)
    args = (settings, str(path), fmt, authority, domain, actor, all_or_nothing, workers)
    processes = [context.Process(target=_work, args=(*args, i, inbox, verdict, go),
                                 name=f"import-{i}", daemon=True) for i in range(workers)]
    started = time.perf_counter()
    for p in processes:
        p.start()
    try:
        report, civil = _gather(inbox, processes, verdict, go, progress or (lambda *_: None))
        if civil and report.stored:
            # Civil servants' files need their bodies, which any worker may have registered:
            # decided here, once all are stored (ledger/importing/civil.py).
            ledger = build_ledger(settings)
            try:
                report.events += apply_civil(ledger, civil, actor, report)
            finally:
                ledger.close()
        report.seconds = time.perf_counter() - started  # starting the processes included
        return report
    finally:
        for p in processes:
            if p.is_alive():
                p.terminate()
            p.join()


def _gather(inbox: Any, processes: list[Any], verdict: Any, go: Any, progress: Progress
            ) -> tuple[ImportReport, list[Any]]:
    workers = len(processes)
    rows, read, size = [0] * workers, [0] * workers, 0
    validated: dict[int, int] = {}
    reports: dict[int, ImportReport] = {}
    civil: dict[int, list[Any]] = {}  # each worker's civil servants' rows, not yet decided
    while len(reports) < workers:
        try:
            kind, i, *body = inbox.get(timeout=1)
        except queue.Empty:
            # A second of silence after a process ended without its report: it is lost.
            gone = [p.name for i, p in enumerate(processes)
                    if p.exitcode is not None and i not in reports]
            if gone:
                raise RuntimeError(f"import process {gone[0]} ended without a report") from None
            continue
        if kind == "progress":
            rows[i], read[i], size = body
            progress(sum(rows), min(read), size)
        elif kind == "validated":  # all-or-nothing: save only if no process rejected a row
            validated[i] = body[0]
            if len(validated) == workers:
                go.value = int(not any(validated.values()))
                verdict.set()
        elif kind == "failed":
            raise body[0]
        else:
            reports[i], civil[i] = body
    merged = ImportReport()
    for report in reports.values():
        merged.merge(report)
    return merged, [row for i in sorted(civil) for row in civil[i]]


def _work(settings: Settings, path: str, fmt: str | None, authority: str | None,
          domain: str | None, actor: str, all_or_nothing: bool, shards: int, shard: int,
          inbox: Any, verdict: Any, go: Any) -> None:
    try:
        ledger = build_ledger(settings)
        key = settings.pseudonym_key.get_secret_value().encode()
        context = template_context(ledger.clock(), domain, build_authorities(settings),
                                   authority)
        source = Source(Path(path), fmt, context)

        def approve(report: ImportReport) -> bool:
            if not verdict.is_set():  # asked once; a restart keeps the first answer
                inbox.put(("validated", shard, len(report.rejected)))
                verdict.wait()
            return bool(go.value)

        importer = Importer(
            ledger, key=key, authority=authority, actor=actor, approve=approve, defer_civil=True,
            progress=lambda r: inbox.put(("progress", shard, r.rows, source.position,
                                          source.size)))
        report = importer.run(_Share(source, shard, shards, key), all_or_nothing=all_or_nothing)
        ledger.close()
        report.cpu_seconds = time.process_time()  # this worker's, from its fork
        report.max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        inbox.put(("done", shard, report, importer.civil))
    except BaseException as e:  # the parent re-raises it
        inbox.put(("failed", shard, _picklable(e)))


def _picklable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # e.g. a driver error holding a connection: send its text
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
