"""The credit-check use case (信用核查): what applies to a subject for a matter, recorded."""

from __future__ import annotations

from typing import Any

from ledger.contracts.checks import CheckIn
from ledger.core import By, Decision, LedgerCore, Receipt
from ledger.domain.credit_check import CheckLog, check_log_stream, measures_for
from ledger.domain.errors import NotFound
from ledger.domain.scenarios import ScenarioCatalogue


class CheckCases(LedgerCore):
    """Approval systems ask which joint rewards and punishments apply; each answer is an event."""

    def __init__(self, *args: Any, scenarios: ScenarioCatalogue | None = None,
                 **kwargs: Any) -> None:
        # The scenarios and their measures: LEDGER_SCENARIOS_FILE, else the shipped catalogue.
        self.scenarios = scenarios or ScenarioCatalogue.load()
        super().__init__(*args, **kwargs)

    def check_log(self, code: str) -> CheckLog | None:
        """The subject's check log, or None before its first check."""
        # Not `stream in self.repository`: the library answers that by reading the whole
        # stream, which the get would then read again.
        try:
            return self._get(CheckLog, check_log_stream(code), "check log")
        except NotFound:
            return None

    def check_credit(self, code: str, cmd: CheckIn, by: By) -> tuple[Receipt, dict[str, Any]]:
        """The measures of the scenario that apply to the subject today, recorded in its check
        log; the same matter with the same outcome again answers with the first check."""
        scenario = self.scenarios.get(cmd.scenario)

        def decide() -> Decision[CheckLog]:
            subject, today = self.subject(code), self.clock()
            outcome = measures_for(subject, scenario, self.scenarios, today)
            log = self.check_log(code) or CheckLog.open(subject=code, on=today, **by.kw())
            version = log.record(scenario=scenario, catalogue=self.scenarios.version,
                                 matter_no=cmd.matter_no, subject_kind=subject.kind,
                                 outcome=outcome, on=today, **by.kw())
            return Decision(log, version)

        receipt, log = self._decide(f"the credit checks of subject {code}", decide)
        return receipt, log.checks[receipt.version]
