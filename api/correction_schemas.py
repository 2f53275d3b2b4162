"""Receipts of the corrections API: the event recorded, and what it changed in the record."""

from __future__ import annotations

from datetime import date

from api.schemas import WriteReceipt


class RecordReceipt(WriteReceipt):
    """A permit's or penalty's revocation or correction: which decision it is about."""

    decision_no: str


class PermitCorrectionReceipt(RecordReceipt):
    late: bool  # recomputed from the corrected decision date and the publication date


class PenaltyCorrectionReceipt(PermitCorrectionReceipt):
    rule_set: str
    publicity_min_until: date
    publicity_max_until: date
