"""The ledger application: every use case, each a named method that gets, decides and saves.

The use cases live beside the aggregates they change (subjects; repair and joint cases) and
share one decide-and-retry helper, `LedgerCore._decide`.
"""

from __future__ import annotations

from ledger.check_cases import CheckCases
from ledger.civil_servant_cases import CivilServantCases
from ledger.core import By, Receipt, Rules, utc_today
from ledger.correction_cases import CorrectionCases
from ledger.integrity_cases import IntegrityCases
from ledger.repair.cases import RepairCases
from ledger.repair.joint import JointCases
from ledger.subject_cases import Registration, SubjectCases

__all__ = ["By", "CreditLedger", "Receipt", "Registration", "Rules", "utc_today"]


# IntegrityCases extends SubjectCases (it decides on subjects): listed before it.
class CreditLedger(IntegrityCases, SubjectCases, CorrectionCases, RepairCases, JointCases,
                   CheckCases, CivilServantCases):
    """Records facts about credit subjects, and the cases about them, as hash-chained events."""
