"""The scorecard's government-integrity indicators (plan §12, §13, §16), read from the
integrity view's rows (projections/views/integrity.py) as of a business date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.domain.vocabulary import LEGAL_INSTITUTION_KINDS, Profession
from projections.view import ViewTx

LEGAL_GROUPS = (*(p.value for p in Profession), *sorted(k.value for k in LEGAL_INSTITUTION_KINDS))


def year_before(as_of: str) -> str:
    """The same day a year earlier (28 February for a 29th)."""
    day = date.fromisoformat(as_of)
    try:
        return day.replace(year=day.year - 1).isoformat()
    except ValueError:
        return (day - timedelta(days=366)).isoformat()


def recent_reports(tx: ViewTx, as_of: str) -> set[str]:
    """Subjects with a third-party credit report issued within the 12 months up to `as_of`,
    recorded on its own or in a repair case."""
    return {row[0] for row in tx.fetchall(
        f"SELECT DISTINCT code FROM {tx.t('credit_report')} WHERE issued_on <= ? AND "
        "issued_on > ?", (as_of, year_before(as_of)))}


def default_counts(tx: ViewTx, as_of: str) -> dict[str, int]:
    """Government defaults recorded by `as_of`: open (of them, overdue: past the deadline),
    and rectified within or after the deadline."""
    counts = dict.fromkeys(("recorded", "open", "overdue", "rectified_in_time",
                            "rectified_late"), 0)
    for deadline, rectified_on in tx.fetchall(
            f"SELECT deadline, rectified_on FROM {tx.t('gov_default')} WHERE recorded_on <= ?",
            (as_of,)):
        counts["recorded"] += 1
        if rectified_on is None or rectified_on > as_of:
            counts["open"] += 1
            counts["overdue"] += deadline < as_of
        else:
            counts["rectified_in_time" if rectified_on <= deadline else "rectified_late"] += 1
    return counts


def legal_groups(tx: ViewTx, as_of: str) -> dict[str, dict[str, Any]]:
    """Per profession and institution kind: registered, with a record, and the share."""
    found = {group: (0, 0) for group in LEGAL_GROUPS}
    for group, registered, recorded in tx.fetchall(
            f"SELECT grp, count(*), sum(CASE WHEN first_record_on <= ? THEN 1 ELSE 0 END) "
            f"FROM {tx.t('legal_file')} WHERE registered_on <= ? GROUP BY grp", (as_of, as_of)):
        found[group] = (int(registered), int(recorded or 0))
    return {group: {"registered": n, "with_records": m, "share": None if n == 0 else m / n}
            for group, (n, m) in found.items()}


def integrity_indicators(tx: ViewTx, as_of: str) -> list[tuple[str, str, str, float | None,
                                                              str, float, dict[str, Any]]]:
    """(id, title, unit, value, op, target, detail) of each indicator, for `indicator()`."""
    counts = default_counts(tx, as_of)
    due = counts["rectified_in_time"] + counts["rectified_late"] + counts["overdue"]
    groups = legal_groups(tx, as_of)
    shares = [g["share"] for g in groups.values() if g["share"] is not None]
    return [
        ("government_default_rectification", "Government defaults rectified within their "
         "deadline", "share", None if due == 0 else counts["rectified_in_time"] / due, ">=",
         1.0, counts),
        ("government_defaults_overdue", "Government defaults still open past their deadline",
         "count", counts["overdue"], "<", 1, {"open": counts["open"]}),
        ("legal_profession_files", "Legal professionals and institutions with a credit file "
         "with records, per profession and institution kind (lowest)", "share",
         min(shares) if shares else None, ">=", 1.0, {"by_group": groups}),
    ]
