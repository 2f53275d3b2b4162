"""The facts of one synthetic subject: permits, penalties, listings, commitments, outcomes."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ledger.domain.authorities import Authority
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.listing_rules import latest_expiry, latest_notice
from ledger.domain.repair import RepairPolicy
from ledger.generator.data import (
    CERTIFICATES,
    COMMITMENT_CONTENT,
    PENALTY_CATEGORIES,
    PERMIT_CATEGORIES,
    VIOLATIONS,
)

Record = dict[str, Any]
MARKET_KINDS = ("enterprise", "individual_business", "farmer_cooperative")
SEVERITY_WEIGHTS = {"minor": 35, "general": 50, "serious": 15}
COMMITMENT_WEIGHTS = {"approval_substitute": 35, "missing_documents": 20, "voluntary": 25,
                      "industry": 12}
LIST_YEARS = {"red": 3, "black": 3, "key_attention": 2}
POLICY = RepairPolicy()  # the default listing rules: notice and maximum periods
BASIS = {"red": "诚信典型，依据《盘锦市守信联合激励实施办法》列入",
         "black": "严重失信，依据《失信行为纠正后的信用信息修复管理办法》"
                  "及领域失信主体认定规定列入",
         "key_attention": "存在失信行为、尚未达到严重失信标准，依据领域管理办法列入重点关注名单"}
REMOVAL = {"red": "有效期届满或发生失信行为时移出",
           "black": "有效期届满，或纠正失信行为、履行义务、作出信用修复承诺并经修复后移出",
           "key_attention": "有效期届满，或纠正失信行为并履行义务后移出"}


class Facts:
    """Draws a subject's facts, dated between its registration and the reference date."""

    def __init__(self, rng: random.Random, today: date,
                 authorities: dict[str, tuple[Authority, str]]) -> None:
        self.rng, self.today = rng, today
        self.calendar = WorkingCalendar.default()
        self.numbers: Counter[str] = Counter()
        self.authorities = authorities
        self.penalising = [a for a in authorities.values() if a[0].domains]
        self.by_domain: dict[str, tuple[Authority, str]] = {
            d.value: a for a in self.penalising for d in a[0].domains}
        # Who grants what: the certificates of an authority's own domains.
        self.grants = {a[1]: [c for d in a[0].domains for c in CERTIFICATES.get(d.value, ())]
                       for a in self.penalising}
        self.granting = [a for a in self.penalising if self.grants[a[1]]]

    def of(self, code: str, kind: str, registered: date) -> Iterator[Record]:
        rng = self.rng
        start = max(registered, self.today - timedelta(days=3 * 365))
        end = self.today - timedelta(days=50)  # leaves room for late publications
        organisation = kind not in ("natural_person", "professional")
        permits = rng.choices((0, 1, 2, 3, 4), (20, 35, 25, 12, 8))[0] if organisation else (
            1 if kind == "professional" else int(rng.random() < 0.05))
        for _ in range(permits):
            yield self.permit(code, self.day(start, end))
        penalties = [self.penalty(code, organisation, self.day(start, end))
                     for _ in range(self.penalty_count(organisation))]
        yield from penalties
        listed = list(self.listings(code, organisation, penalties, start, end))
        yield from listed
        dishonest = any(r["list"] != "red" for r in listed)
        yield from self.commitments(code, kind, dishonest, start)

    def day(self, start: date, end: date) -> date:
        # Records grow over the years: recent dates are drawn more often than old ones.
        span = max(0, (end - start).days)
        return start + timedelta(days=round(self.rng.triangular(0, span, span)))

    def number(self, authority: Authority, letter: str, year: int) -> str:
        key = f"{authority.number_prefix}{letter}{year}"
        self.numbers[key] += 1
        return f"{authority.number_prefix}{letter}〔{year}〕{self.numbers[key]}号"

    def published(self, decided: date, late_share: float) -> date:
        late = self.rng.random() < late_share
        days = self.rng.randint(8, 25) if late else self.rng.randint(0, 6)
        return min(self.calendar.add_working_days(decided, days), self.today)

    def permit(self, code: str, decided: date) -> Record:
        authority, acode = self.rng.choice(self.granting)
        certificate = self.rng.choice(self.grants[acode])
        return self.licence(code, decided, authority, acode, certificate)

    def licence(self, code: str, decided: date, authority: Authority, acode: str,
                certificate: str) -> Record:
        """A permit granting `certificate`, decided by `authority` on `decided`."""
        number = self.number(authority, "许", decided.year)
        return {"record": "permit", "authority": acode, "subject": code, "decision_no": number,
                "category": self.rng.choice(PERMIT_CATEGORIES), "decided_on": decided.isoformat(),
                "published_on": self.published(decided, 0.05).isoformat(),
                "document_name": "准予行政许可决定书", "certificate_name": certificate,
                "certificate_no":
                    f"{authority.number_prefix}{decided.year}{self.numbers.total():07d}",
                "content": f"准予核发{certificate}", "valid_from": decided.isoformat(),
                "valid_to": (decided + timedelta(days=5 * 365)).isoformat(),
                "data_source_unit": authority.name}

    def penalty_count(self, organisation: bool) -> int:
        if self.rng.random() >= (0.3 if organisation else 0.06):
            return 0
        return 1 + (self.rng.random() < 0.35) + (self.rng.random() < 0.1)

    def penalty(self, code: str, organisation: bool, decided: date) -> Record:
        rng = self.rng
        authority, acode = (rng.choice(self.penalising) if organisation else
                            self.by_domain[rng.choice(("public_security", "judicial"))])
        severity = rng.choices(list(SEVERITY_WEIGHTS), list(SEVERITY_WEIGHTS.values()))[0]
        category = rng.choice(PENALTY_CATEGORIES[severity])
        violation = rng.choice(VIOLATIONS)
        record: Record = {
            "record": "penalty", "authority": acode, "subject": code,
            "decision_no": self.number(authority, "罚", decided.year), "severity": severity,
            "domain": rng.choice(authority.domains), "decided_on": decided.isoformat(),
            "published_on": self.published(decided, 0.12).isoformat(), "category": category,
            "basis": f"《中华人民共和国行政处罚法》第{rng.randint(9, 60)}条",
            "special": authority.number_prefix == "盘应急", "violation_type": violation,
            "facts": f"经查，当事人{violation}，事实清楚，证据确凿。",
            "penalty_content": category, "data_source_unit": authority.name}
        if category == "罚款":
            record["fine_amount"] = f"{rng.randint(5, 2000) * 100}.00"
        return record

    def listings(self, code: str, organisation: bool, penalties: list[Record], start: date,
                 end: date) -> Iterator[Record]:
        rng = self.rng
        serious = [p for p in penalties if p["severity"] == "serious"]
        if serious and rng.random() < 0.4:
            listed_on = date.fromisoformat(serious[0]["published_on"]) + timedelta(days=30)
            if rng.random() < 0.15:  # an earlier red listing that the black one ends
                yield self.listing(code, "red", "tax", start, self.day(start, listed_on))
            yield self.listing(code, "black", serious[0]["domain"], start, min(listed_on, end))
        elif rng.random() < (0.03 if organisation else 0.02):
            domain = rng.choice(list(self.by_domain)) if organisation else "judicial"
            yield self.listing(code, "key_attention" if organisation else "black", domain,
                               start, self.day(start, end))
        elif organisation and not penalties and rng.random() < 0.06:
            yield self.listing(code, "red", rng.choice(("tax", "finance", "construction")),
                               start, self.day(start, end))

    def listing(self, code: str, list_name: str, domain: str, start: date, listed: date) -> Record:
        listed = max(listed, start + timedelta(days=30))
        # Notice at least the policy's working days ahead, and within its maximum period.
        notified = min(listed - timedelta(days=self.rng.randint(5, 30)),
                       latest_notice(listed, POLICY.listing_notice_days, self.calendar))
        expires = listed + timedelta(days=self.rng.randint(365, LIST_YEARS[list_name] * 365))
        longest = latest_expiry(POLICY, list_name, domain, listed)
        expires = min(expires, longest) if longest else expires
        return {"record": "listing", "authority": self.by_domain[domain][1], "subject": code,
                "list": list_name, "domain": domain, "basis": BASIS[list_name],
                "notified_on": notified.isoformat(), "listed_on": listed.isoformat(),
                "expires_on": expires.isoformat(), "removal_conditions": REMOVAL[list_name]}

    def commitments(self, code: str, kind: str, dishonest: bool, start: date) -> Iterator[Record]:
        rng = self.rng
        if rng.random() >= (0.93 if kind in MARKET_KINDS else 0.25):
            return
        kinds = rng.choices(list(COMMITMENT_WEIGHTS), list(COMMITMENT_WEIGHTS.values()),
                            k=1 + (rng.random() < 0.4))
        if dishonest:  # no missing-documents acceptance while dishonest; repair is expected
            kinds = ["voluntary" if k == "missing_documents" else k for k in kinds]
            kinds += ["repair"] * (rng.random() < 0.7)
        for ctype in kinds:
            yield from self.commitment(code, ctype, self.day(start, self.today))

    def commitment(self, code: str, ctype: str, made: date) -> Iterator[Record]:
        authority, acode = self.authorities[
            "盘锦市行政审批局" if ctype in ("approval_substitute", "missing_documents")
            else "盘锦市市场监督管理局"]
        number = self.number(authority, "诺", made.year)
        due = made + timedelta(days=self.rng.randint(30, 365))
        yield {"record": "commitment", "authority": acode, "subject": code, "type": ctype,
               "made_on": made.isoformat(), "content": COMMITMENT_CONTENT[ctype],
               "due_on": due.isoformat(), "commitment_no": number}
        if (self.today - made).days > 30 and self.rng.random() < 0.45:
            kept = self.rng.random() < 0.85
            on = min(made + timedelta(days=self.rng.randint(15, 400)), self.today)
            yield {"record": "commitment_outcome", "authority": acode, "subject": code,
                   "commitment_no": number, "outcome": "fulfilled" if kept else "breached",
                   "on": on.isoformat(), "note": "按期履行" if kept else "未按承诺期限履行"}
