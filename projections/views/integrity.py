"""Government integrity: government defaults, third-party credit reports, the legal
professions' credit files and civil servants' integrity files (issue 20).

- `gov_default`: each default of a government body or public institution, with its
  rectification; shown on the body's public profile (projections/profile_sql.py) and
  counted by the scorecard.
- `credit_report`: every third-party credit report, recorded on its own
  (CreditReportRecorded) or inside a repair case (RepairReportSubmitted), with its issue date:
  the §13 indicator counts reports issued within the last 12 months.
- `legal_file`: the legal professions (a professional's profession, or an institution's
  kind) with the day of their first record, for the §12 coverage.
- `cs_file` and `cs_record`: civil servants' files, without names (no event carries one),
  read by the personnel and audit roles only (api/routers/civil_servants.py).

Every row is one stream's (a subject's, a repair case's, a civil servant's): no merges.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.scoring import business_day
from ledger.domain.vocabulary import LEGAL_INSTITUTION_KINDS
from projections.batch import Batch, Statements
from projections.view import View, ViewTx

# Facts that give a credit file its records (the §12 coverage: a file with records).
RECORD_EVENTS = frozenset({"PermitGranted", "PenaltyImposed", "Listed", "CommitmentMade",
                           "CreditReportRecorded"})
REPORT_EVENTS = frozenset({"CreditReportRecorded", "RepairReportSubmitted"})

TABLES = {
    "gov_default": "default_id TEXT PRIMARY KEY, code TEXT NOT NULL, authority TEXT NOT NULL, "
                   "kind TEXT NOT NULL, creditor TEXT NOT NULL, amount TEXT, "
                   "recorded_on TEXT NOT NULL, deadline TEXT NOT NULL, basis TEXT, "
                   "rectified_on TEXT, evidence TEXT, in_time INTEGER",
    "credit_report": "code TEXT NOT NULL, stream TEXT NOT NULL, agency TEXT NOT NULL, "
                     "report_no TEXT NOT NULL, issued_on TEXT NOT NULL, conclusion TEXT, "
                     "authority TEXT NOT NULL, PRIMARY KEY (code, stream, agency, report_no)",
    "legal_file": "code TEXT PRIMARY KEY, grp TEXT NOT NULL, registered_on TEXT NOT NULL, "
                  "first_record_on TEXT",
    "cs_file": "id TEXT PRIMARY KEY, organisation TEXT NOT NULL, post TEXT NOT NULL, "
               "registered_on TEXT NOT NULL, name_digest TEXT NOT NULL",
    "cs_record": "record_id TEXT PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, "
                 "on_day TEXT NOT NULL",
}
DEFAULT = ("INSERT INTO {gov_default} (default_id, code, authority, kind, creditor, amount, "
           "recorded_on, deadline, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT (default_id) DO NOTHING")
RECTIFIED = ("UPDATE {gov_default} SET rectified_on = ?, evidence = ?, in_time = ? "
             "WHERE default_id = ?")
REPORT = ("INSERT INTO {credit_report} VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (code, stream, agency, report_no) DO NOTHING")
LEGAL = "INSERT INTO {legal_file} VALUES (?, ?, ?, NULL) ON CONFLICT (code) DO NOTHING"
FIRST_RECORD = ("UPDATE {legal_file} SET first_record_on = ? WHERE code = ? AND "
                "(first_record_on IS NULL OR first_record_on > ?)")
SERVANT = "INSERT INTO {cs_file} VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
SERVANT_RECORD = "INSERT INTO {cs_record} VALUES (?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING"


def legal_group(data: dict[str, Any]) -> str | None:
    """The §12 group of a registration: a professional's profession, an institution's kind."""
    if data.get("profession"):
        return str(data["profession"])
    kind = data.get("kind")
    return str(kind) if kind in LEGAL_INSTITUTION_KINDS else None


class IntegrityView(View):
    """Government defaults, credit reports, the legal professions' files, civil servants."""

    name = "integrity"

    def __init__(self) -> None:
        self.tables = dict(TABLES)
        self.indexes = ["CREATE INDEX gov_default_by_code ON {gov_default} (code)",
                        "CREATE INDEX credit_report_by_day ON {credit_report} (issued_on)",
                        "CREATE INDEX cs_file_by_organisation ON {cs_file} (organisation)",
                        "CREATE INDEX cs_record_by_id ON {cs_record} (id)"]
        self.statements = Statements(self.tables)

    def apply_indexes(self) -> list[str]:
        return []  # updates go by primary key

    def merges(self) -> dict[str, str]:
        return {}  # every row is one stream's

    def apply(self, tx: ViewTx, envelope: dict[str, Any]) -> None:
        self.apply_many(tx, [envelope])

    def apply_many(self, tx: ViewTx, envelopes: list[dict[str, Any]]) -> None:
        batch = Batch(tx, self.statements)
        for env in envelopes:
            self._apply(batch, env)
        batch.flush()

    def _apply(self, b: Batch, env: dict[str, Any]) -> None:
        kind, d, code = env["type"], env["data"], env["subject"]
        if kind == "SubjectRegistered":
            group = legal_group(d)
            if group is not None:
                b.insert(LEGAL, (code, group, business_day(env)), ("legal_file", code))
        elif kind == "GovernmentDefaultRecorded":
            b.insert(DEFAULT, (d["default_id"], code, env["authority"], d["kind"],
                               d["creditor"], d.get("amount"), d["recorded_on"], d["deadline"],
                               d.get("basis")), ("gov_default", d["default_id"]))
        elif kind == "GovernmentDefaultRectified":
            b.update(RECTIFIED, (d["rectified_on"], d.get("evidence"), int(bool(d["in_time"])),
                                 d["default_id"]), ("gov_default", d["default_id"]))
        elif kind == "CivilServantRegistered":
            b.insert(SERVANT, (d["civil_servant"], d["organisation"], d["post"],
                               d["registered_on"], d["name_digest"]))
        elif kind == "CivilServantRecorded":
            b.insert(SERVANT_RECORD, (d["record_id"], code, d["kind"], d["on"]))
        if kind in REPORT_EVENTS:
            b.insert(REPORT, (code, env["stream"], d["agency"], d["report_no"], d["issued_on"],
                              d.get("conclusion"), env["authority"]))
        if kind in RECORD_EVENTS:
            day = business_day(env)
            b.update(FIRST_RECORD, (day, code, day), ("legal_file", code))

    # -- reads -------------------------------------------------------------

    def servants(self, tx: ViewTx, organisation: str | None, page: int, size: int
                 ) -> tuple[list[dict[str, Any]], int]:
        """Civil servants' files (no names: the caller adds them), with counts per kind."""
        where, params = ("WHERE f.organisation = ?", [organisation]) if organisation \
            else ("", [])
        total = tx.fetchone(f"SELECT count(*) FROM {tx.t('cs_file')} f {where}", params)
        rows = tx.fetchall(
            f"SELECT f.id, f.organisation, f.post, f.registered_on, f.name_digest, r.kind, "
            f"count(r.record_id) FROM (SELECT * FROM {tx.t('cs_file')} f {where} "
            f"ORDER BY f.organisation, f.id LIMIT ? OFFSET ?) f LEFT JOIN "
            f"{tx.t('cs_record')} r ON r.id = f.id GROUP BY f.id, f.organisation, f.post, "
            f"f.registered_on, f.name_digest, r.kind ORDER BY f.organisation, f.id",
            [*params, size, (page - 1) * size])
        files: dict[str, dict[str, Any]] = {}
        for pid, org, post, registered_on, digest, kind, n in rows:
            entry = files.setdefault(pid, {"id": pid, "organisation": org, "post": post,
                                           "registered_on": registered_on,
                                           "name_digest": digest, "records": {}})
            if kind is not None:
                entry["records"][kind] = int(n)
        return list(files.values()), int(total[0]) if total else 0


VIEW = IntegrityView()
