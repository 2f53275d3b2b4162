"""Score models as versioned data, and the contributions each event makes to a score.

A contribution is scored by the model version in force on its event's business date, so
replaying 2023 applies 2023's rules; a grade is read with the version in force on the
evaluation date. Every point of a score is a contribution traced to one event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ledger.domain.correction_events import record_owner
from ledger.domain.visibility import lapses_on, still_open

DEFAULT_FILE = Path(__file__).parent / "data" / "score_models.json"
BASE_RULE = "BASE"
# Facts about one permit or penalty, keyed by its authority (an admin's revocation or
# correction names it) and decision number.
RECORD_TYPES = frozenset({"PenaltyImposed", "PenaltyRevoked", "PenaltyCorrected",
                          "PermitGranted", "PermitRevoked", "PermitCorrected"})
CLAMP_RULE = "CLAMP"


@dataclass(frozen=True)
class Rule:
    """Points for an event type whose data match `when`; ended by any event type in `until`."""

    id: str
    on: str
    when: Mapping[str, Any]
    points: int
    until: frozenset[str] = frozenset()

    def matches(self, type_name: str, data: Mapping[str, Any]) -> bool:
        if type_name != self.on:
            return False
        for name, wanted in self.when.items():
            allowed = wanted if isinstance(wanted, list) else [wanted]
            if data.get(name) not in allowed:
                return False
        return True


@dataclass(frozen=True)
class ScoreModel:
    """One version of a family's model: base, range, rules and grade bands."""

    family: str
    version: str
    effective_from: date
    base: int
    low: int
    high: int
    rules: tuple[Rule, ...]
    grades: tuple[tuple[str, int], ...]  # (grade, minimum score), best first
    poor: frozenset[str] = field(default_factory=frozenset)

    def clamp(self, raw: int) -> int:
        return max(self.low, min(self.high, raw))

    def grade(self, score: int) -> str:
        for name, minimum in self.grades:
            if score >= minimum:
                return name
        return self.grades[-1][0]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def rules_on(self, type_name: str) -> tuple[Rule, ...]:
        return self._by_type.get(type_name, ())

    @cached_property
    def _by_type(self) -> dict[str, tuple[Rule, ...]]:
        return {t: tuple(r for r in self.rules if r.on == t) for t in {r.on for r in self.rules}}


@dataclass(frozen=True)
class Contribution:
    """Points that one event adds to (or takes from) a subject's score, and why."""

    key: str  # the record it belongs to, e.g. "penalty|<authority>|<decision_no>"
    points: int
    rule: str
    model_version: str
    event_id: str
    stream: str
    version: int
    type: str
    on: str  # ISO business date from which it counts
    # The day its record's own window lapses (ledger.domain.visibility), if it has one.
    lapses: str | None = None


class ModelBook:
    """Every version of every score model, chosen by subject kind and date."""

    def __init__(self, models: Iterable[ScoreModel], kinds: Mapping[str, str],
                 scales: Mapping[str, str]) -> None:
        self.models = sorted(models, key=lambda m: (m.family, m.effective_from))
        self.kinds, self.scales = dict(kinds), dict(scales)
        # Event types that can end a contribution under some version of some model.
        self.enders = frozenset(t for m in self.models for r in m.rules for t in r.until)
        self._in_force: dict[tuple[str, str], ScoreModel] = {}  # projections ask per event

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ModelBook:
        kinds = {k: fam for fam, spec in raw["families"].items() for k in spec["kinds"]}
        scales = {fam: spec["scale"] for fam, spec in raw["families"].items()}
        return cls([_model(m) for m in raw["models"]], kinds, scales)

    def family(self, kind: str) -> str:
        return self.kinds.get(kind, "enterprise")

    def model(self, family: str, on: date | str) -> ScoreModel:
        """The version in force on a date; dates before the first version use the first."""
        key = (family, on if isinstance(on, str) else on.isoformat())
        found = self._in_force.get(key)
        if found is None:
            if len(self._in_force) > 100_000:
                self._in_force.clear()
            found = self._in_force[key] = self._find(family, date.fromisoformat(key[1]))
        return found

    def _find(self, family: str, day: date) -> ScoreModel:
        versions = [m for m in self.models if m.family == family]
        if not versions:
            raise KeyError(f"no score model for family {family!r}")
        in_force = [m for m in versions if m.effective_from <= day]
        return in_force[-1] if in_force else versions[0]

    def version(self, family: str, version: str) -> ScoreModel:
        return next(m for m in self.models if m.family == family and m.version == version)

    def ends(self, family: str, contribution_version: str, rule_id: str, type_name: str) -> bool:
        """Whether an event of this type ends a contribution made under that rule version."""
        rule = self.version(family, contribution_version).rule(rule_id)
        return rule is not None and type_name in rule.until


def _model(raw: Mapping[str, Any]) -> ScoreModel:
    # A rule "on" several event types is one rule (one id, points, until) per type.
    rules = tuple(Rule(r["id"], on, dict(r.get("when", {})), int(r["points"]),
                       frozenset(r.get("until", ())))
                  for r in raw["rules"] for on in _types(r["on"]))
    grades = tuple(sorted(((g["grade"], int(g["min"])) for g in raw["grades"]),
                          key=lambda g: -g[1]))
    return ScoreModel(raw["family"], raw["version"], date.fromisoformat(raw["effective_from"]),
                      int(raw["base"]), int(raw["min"]), int(raw["max"]), rules, grades,
                      frozenset(raw.get("poor", ())))


def _types(on: str | list[str]) -> list[str]:
    return [on] if isinstance(on, str) else list(on)


@cache
def default_book() -> ModelBook:
    """The packaged score models."""
    return ModelBook.from_dict(json.loads(DEFAULT_FILE.read_text(encoding="utf-8")))


def business_day(envelope: Mapping[str, Any]) -> str:
    """The ISO business date an event took effect (`occurred_at` is a date or an instant)."""
    return str(envelope["occurred_at"])[:10]


def record_key(envelope: Mapping[str, Any]) -> str | None:
    """The record a scoring or ending event belongs to, or None when it concerns no record."""
    kind, data = envelope["type"], envelope["data"]
    if kind == "SubjectRegistered":
        return "base"
    if kind in RECORD_TYPES:
        prefix = "penalty" if kind.startswith("Penalty") else "permit"
        return f"{prefix}|{record_owner(envelope)}|{data['decision_no']}"
    if kind == "PenaltyPublicityEnded":
        return f"penalty|{data['penalty_authority']}|{data['decision_no']}"
    if kind in ("Listed", "Delisted"):
        return f"listing|{data['listing_id']}"
    if kind.startswith("Commitment"):
        return f"commitment|{data['commitment_id']}"
    return None


def contributions(book: ModelBook, family: str, envelope: Mapping[str, Any]) -> list[Contribution]:
    """The contributions this event makes under the model in force on its business date."""
    on = business_day(envelope)
    model = book.model(family, on)
    key = record_key(envelope)
    if key is None:
        return []
    lapses = lapses_on(envelope["type"], envelope["data"])

    def made(rule: str, points: int) -> Contribution:
        return Contribution(key or "", points, rule, model.version, envelope["id"],
                            envelope["stream"], int(envelope["version"]), envelope["type"], on,
                            lapses)

    if envelope["type"] == "SubjectRegistered":
        return [made(BASE_RULE, model.base)]
    return [made(r.id, r.points) for r in model.rules_on(envelope["type"])
            if r.matches(envelope["type"], envelope["data"])]


@dataclass(frozen=True)
class Score:
    """A score as of a date, with the contributions that sum to it."""

    family: str
    scale: str
    model_version: str
    score: int
    grade: str
    poor: bool
    explanation: tuple[Contribution, ...]


def evaluate(book: ModelBook, family: str, active: Sequence[Contribution], on: str) -> Score:
    """Sum active contributions, clamp to the model's range and grade with the model of `on`."""
    model = book.model(family, on)
    raw = sum(c.points for c in active)
    score = model.clamp(raw)
    explanation = tuple(sorted(active, key=lambda c: (c.rule != BASE_RULE, c.on, c.stream,
                                                       c.version, c.rule)))
    if score != raw:
        # The clamp is itself a line of the explanation, so the lines always sum to the score.
        explanation += (Contribution("clamp", score - raw, CLAMP_RULE, model.version, "", "", 0,
                                     "", on),)
    grade = model.grade(score)
    return Score(family, book.scales.get(family, "grade"), model.version, score, grade,
                 grade in model.poor, explanation)


def score_of(book: ModelBook, family: str, made: Sequence[tuple[Contribution, str | None]],
             as_of: str | None = None) -> Score | None:
    """A subject's score from its (contribution, ended on) pairs; None before its first fact.

    The base counts from the subject's first fact, which may predate its registration; with no
    date, the score is read as of the latest fact (or ending). A contribution counts while its
    record is shown (ledger.domain.visibility): not ended, and its window not lapsed.
    """
    if not made:
        return None
    if as_of is not None and as_of < min(c.on for c, _ in made):
        return None
    on = as_of or max(max(c.on, ended or "") for c, ended in made)
    active = [c for c, ended in made
              if (c.on <= on or c.rule == BASE_RULE) and still_open(on, ended, c.lapses)]
    return evaluate(book, family, active, on)


class ScoreFold:
    """One subject's contributions folded from its events, answerable as of any date."""

    def __init__(self, book: ModelBook | None = None) -> None:
        self.book = book or default_book()
        self.family = "enterprise"
        self.made: list[tuple[Contribution, str | None]] = []  # (contribution, ended on)

    def apply(self, envelope: Mapping[str, Any]) -> None:
        if envelope["type"] == "SubjectRegistered":
            self.family = self.book.family(envelope["data"]["kind"])
        key = record_key(envelope)
        if key is None:
            return
        for i, (c, ended) in enumerate(self.made):
            if ended is None and c.key == key and self.book.ends(
                    self.family, c.model_version, c.rule, envelope["type"]):
                self.made[i] = (c, business_day(envelope))
        self.made.extend((c, None) for c in contributions(self.book, self.family, envelope))

    def score(self, as_of: str | None = None) -> Score | None:
        return score_of(self.book, self.family, self.made, as_of)
