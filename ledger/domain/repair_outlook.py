"""Whether, and from when, a negative record can be repaired: the admissibility rules of
ledger.domain.repair read forwards from today, for people reading their own record.

An application also needs the conduct corrected and a repair commitment: those are the
applicant's to bring, so the outlook assumes them and says so in its guidance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.domain.repair import RepairPolicy, Target, admissibility_failures


@dataclass(frozen=True)
class Outlook:
    """`state`: `now` (may apply today), `later` (from `from_on`), `never` (not repairable),
    `expires` (ends by itself on `until`, repair no longer applies), `none` (nothing to repair)."""

    state: str
    from_on: date | None = None
    until: date | None = None
    rule: str | None = None  # the rule that decides it, as ledger.domain.repair names it


def outlook(target: Target, today: date, policy: RepairPolicy) -> Outlook:
    """The record's repair outlook on `today`, by the same rules an application is judged by."""
    failures = {f.rule for f in admissibility_failures(target, on=today,
                                                        obligations_performed=True,
                                                        policy=policy)}
    min_until, max_until, _ = target.window(policy)
    if failures & {"not_negative", "target_not_public"}:
        return Outlook("none", rule=next(iter(failures)))
    if "non_repairable" in failures:
        return Outlook("never", until=max_until, rule="non_repairable")
    if "maximum_reached" in failures or (max_until is not None and min_until >= max_until):
        return Outlook("expires", until=max_until, rule="maximum_reached")
    if "minimum_publicity" in failures:
        return Outlook("later", from_on=min_until, until=max_until, rule="minimum_publicity")
    return Outlook("now", from_on=min_until, until=max_until)
