"""The credit-check use case (信用核查): what applies to a subject for a matter, recorded.

A check log is read from its latest snapshot and the events after it (docs/adr/036): a
snapshot is taken each time the log passes a multiple of CHECK_LOG_SNAPSHOT_EVERY, so a check
reads at most that many events less one, however many checks came before. Only check logs
are snapshotted, through a repository of their own: subjects and cases are read as before,
with no snapshot lookup added to their reads.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import EventStore, PersistenceError

from ledger.contracts.checks import CheckIn
from ledger.core import By, Decision, LedgerCore, Receipt
from ledger.domain.credit_check import CheckLog, CheckLogSnapshot, check_log_stream, measures_for
from ledger.domain.scenarios import ScenarioCatalogue
from ledger.store.sql import creating, dialect_of, recorder_tx, stream_param

logger = logging.getLogger("credit-ledger.checks")

# Events between two snapshots of a check log: a check reads one snapshot and fewer events
# than this. Snapshots are a cache (the library's snapshots table): losing them costs one
# whole read per log, never an answer.
CHECK_LOG_SNAPSHOT_EVERY = 50


class CheckCases(LedgerCore):
    """Approval systems ask which joint rewards and punishments apply; each answer is an event."""

    def __init__(self, *args: Any, scenarios: ScenarioCatalogue | None = None,
                 **kwargs: Any) -> None:
        # The scenarios and their measures: LEDGER_SCENARIOS_FILE, else the shipped catalogue.
        self.scenarios = scenarios or ScenarioCatalogue.load()
        super().__init__(*args, **kwargs)
        # The library's snapshot store (its `snapshots` table), for check logs only.
        # Made at start like the events table, and retried as it is.
        self.check_log_snapshots: EventStore[Any] = creating(self.construct_snapshot_store)
        self.check_logs: Repository[Any] = Repository(
            self.events, snapshot_store=self.check_log_snapshots)

    def check_log(self, code: str) -> CheckLog | None:
        """The subject's check log, or None before its first check."""
        # Not `stream in self.repository`: the library answers that by reading the whole
        # stream, which the get would then read again.
        try:
            found: Any = self.check_logs.get(check_log_stream(code))
        except AggregateNotFoundError:
            return None
        assert isinstance(found, CheckLog)
        return found

    def snapshot_check_log(self, check_log: CheckLog) -> None:
        """Keep the log's state at its version (saved) as its only snapshot."""
        try:
            self.check_log_snapshots.put([CheckLogSnapshot.take(check_log)])
            self._drop_older_snapshots(check_log)
        except PersistenceError as e:
            # The check is recorded already; a missing snapshot only makes the next reads
            # of this log longer, until the next one is taken.
            logger.warning("no snapshot of check log %s at version %d: %s", check_log.id,
                        check_log.version, e)

    def _drop_older_snapshots(self, check_log: CheckLog) -> None:
        # Only the latest is ever read; the older ones would pile up (one per 50 checks, each
        # the size of the log's matters) for nothing.
        try:
            dialect_of(self.recorder)
        except TypeError:  # the in-memory store of unit tests: nothing to prune
            return
        table = self.check_log_snapshots.recorder.events_table_name  # type: ignore[attr-defined]
        with recorder_tx(self.recorder, commit=True) as tx:
            tx.execute(f"DELETE FROM {table} WHERE originator_id = ? AND originator_version < ?",
                       (stream_param(tx.dialect, check_log.id), check_log.version))

    def check_credit(self, code: str, cmd: CheckIn, by: By) -> tuple[Receipt, dict[str, Any]]:
        """The measures of the scenario that apply to the subject today, recorded in its check
        log; the same matter with the same outcome again answers with the first check."""
        scenario = self.scenarios.get(cmd.scenario)
        recorded: dict[int, dict[str, Any]] = {}
        read_at = [0]  # the log's version as read by the last decision

        def decide() -> Decision[CheckLog]:
            subject, today = self.subject(code), self.clock()
            outcome = measures_for(subject, scenario, self.scenarios, today)
            found = self.check_log(code)
            read_at[0] = found.version if found else 0
            log = found or CheckLog.open(subject=code, on=today, **by.kw())
            version = log.record(scenario=scenario, catalogue=self.scenarios.version,
                                 matter_no=cmd.matter_no, subject_kind=subject.kind,
                                 outcome=outcome, on=today, **by.kw())
            pending: list[Any] = log.pending_events
            if pending:
                recorded[version] = pending[-1].data
            return Decision(log, version)

        receipt, check_log = self._decide(f"the credit checks of subject {code}", decide)
        if receipt.created and (check_log.version // CHECK_LOG_SNAPSHOT_EVERY
                                > read_at[0] // CHECK_LOG_SNAPSHOT_EVERY):
            self.snapshot_check_log(check_log)
        if receipt.version in recorded:
            return receipt, recorded[receipt.version]
        # The matter's earlier check, the same answer: one event read back.
        event: Any = next(iter(self.events.get(check_log.id, gt=receipt.version - 1,
                                               lte=receipt.version)))
        return receipt, event.data
