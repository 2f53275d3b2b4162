"""The API's way to record a generated city, for bench/ingest.py's one-by-one figure: each row
is one named use case of the ledger (one get of its subject, one decision, one save), the
methods the provider API's routers call. A client of the API knows the id of a commitment or a
government default from the receipt that recorded it; so does this one.
"""

from __future__ import annotations

from typing import Any

from ledger.application import By, CreditLedger
from ledger.importing.rows import Row


class OneByOne:
    """Records rows through the application's public use cases, as API requests would."""

    def __init__(self, ledger: CreditLedger) -> None:
        self.ledger = ledger
        self.commitments: dict[tuple[str, str], str] = {}  # (subject, number) -> id
        self.defaults: dict[tuple[str, ...], str] = {}  # (subject, authority, ref) -> id

    def record(self, row: Row, by: By) -> None:
        ledger, code, body = self.ledger, row.subject, row.body
        cmd: Any = body  # the command its record type validated (ledger.importing.rows)
        if row.record == "subject":
            assert row.register is not None
            ledger.register_subject(row.register, by)
        elif row.record == "principal":
            ledger.link_principal(code, row.principal or "", cmd, by)
        elif row.record == "permit":
            ledger.grant_permit(code, cmd, by)
        elif row.record == "penalty":
            ledger.impose_penalty(code, cmd, by)
        elif row.record == "listing":
            ledger.put_on_list(code, cmd, by)
        elif row.record == "commitment":
            made = ledger.make_commitment(code, cmd, by)
            self.commitments[code, cmd.commitment_no or ""] = made.extra["commitment_id"]
        elif row.record == "commitment_outcome":
            cid = (row.outcome.get("commitment_id")
                   or self.commitments[code, row.outcome["commitment_no"]])
            ledger.settle_commitment(code, cid, cmd, by, kept=row.outcome["kept"])
        elif row.record == "government_default":
            recorded = ledger.record_government_default(code, cmd, by)
            ref = {"kind": cmd.kind, "creditor": cmd.creditor, "recorded_on": cmd.recorded_on}
            self.defaults[self._default(row, ref)] = recorded.extra["default_id"]
        elif row.record == "default_rectification":
            default_id = (row.outcome.get("default_id")
                          or self.defaults[self._default(row, row.outcome)])
            ledger.rectify_government_default(code, default_id, cmd, by)
        elif row.record == "credit_report":
            ledger.record_credit_report(code, cmd, by)
        else:
            raise ValueError(f"no use case for a {row.record!r} row")

    @staticmethod
    def _default(row: Row, ref: dict[str, Any]) -> tuple[str, ...]:
        """A government default as a department's file names it: by whom, kind, creditor, day."""
        return (row.subject, row.authority,
                *(str(ref[k]) for k in ("kind", "creditor", "recorded_on")))
