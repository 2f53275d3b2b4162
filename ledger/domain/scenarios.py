"""The catalogue of approval scenarios and the joint reward/punishment measures each carries.

Approval systems ask "what applies to this subject for this matter?" (信用核查): a scenario
(政府采购, 容缺受理, 乘坐民用航空器 ...) names the domain in which joint rewards and
punishments are implemented and its measures, each a restriction (`restrict`) or an incentive
(`incentive`) for subjects on some lists (optionally only listings of some governance domains,
or only some kinds of subject), citing the memorandum or rule it comes from. It is data:
shipped as `data/scenarios.json`, another file of the same shape named by
LEDGER_SCENARIOS_FILE; a city edits it without code (docs/checks.md).

`dishonesty` says what an "unrepaired dishonesty record" is for incentives that require none
(容缺受理, 绿色通道: DOMAIN.md, a local rule): lists, and penalty severities still in publicity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ledger.domain.datafiles import read_json
from ledger.domain.errors import RuleViolation
from ledger.domain.vocabulary import Domain, ListName, MeasureKind, Severity, SubjectKind


class UnknownScenario(RuleViolation):
    """A check named a scenario the catalogue does not have; the answer lists the choices."""

    rule = "unknown_scenario"

    def __init__(self, code: str, choices: list[str]) -> None:
        super().__init__(f"unknown scenario {code!r}; choose one of: {', '.join(choices)}",
                         field="scenario")
        self.choices = choices

    def members(self) -> dict[str, Any]:
        return {"choices": self.choices}


@dataclass(frozen=True)
class Memorandum:
    """A joint reward/punishment memorandum (合作备忘录) or rule a measure comes from."""

    code: str
    title: str
    number: str | None  # 发文字号, e.g. 发改财金〔2016〕141号; None where not verified

    def public(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "number": self.number}


@dataclass(frozen=True)
class MeasureRule:
    """One measure of a scenario, and whom it applies to."""

    code: str
    kind: MeasureKind
    text: str
    lists: tuple[ListName, ...]
    memorandum: Memorandum
    listing_domains: tuple[Domain, ...] = ()  # empty: a listing of any domain
    subject_kinds: tuple[SubjectKind, ...] = ()  # empty: any kind of subject
    requires_no_dishonesty: bool = False  # an incentive withheld while dishonesty is open

    def public(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind.value, "text": self.text,
                "lists": [n.value for n in self.lists],
                "listing_domains": [d.value for d in self.listing_domains],
                "subject_kinds": [k.value for k in self.subject_kinds],
                "requires_no_dishonesty": self.requires_no_dishonesty,
                "memorandum": self.memorandum.public()}


@dataclass(frozen=True)
class Scenario:
    """Where an approval system asks: its domain of joint rewards and punishments, its
    measures."""

    code: str
    name: str
    domain: str
    domain_name: str
    measures: tuple[MeasureRule, ...]

    def public(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "domain": self.domain,
                "domain_name": self.domain_name, "measures": [m.public() for m in self.measures]}


@dataclass(frozen=True)
class DishonestyRule:
    """What counts as an unrepaired dishonesty record: a listing shown on one of these lists,
    or a penalty of one of these severities still in its publicity window."""

    lists: tuple[ListName, ...] = (ListName.BLACK, ListName.KEY_ATTENTION)
    penalty_severities: tuple[Severity, ...] = (Severity.GENERAL, Severity.SERIOUS)


class ScenarioCatalogue:
    """The scenarios by code, the memoranda they cite, and the dishonesty rule."""

    def __init__(self, version: str, scenarios: list[Scenario],
                 memoranda: dict[str, Memorandum], dishonesty: DishonestyRule) -> None:
        self.version, self.memoranda, self.dishonesty = version, memoranda, dishonesty
        self._by_code = {s.code: s for s in scenarios}

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Scenario:
        found = self._by_code.get(code.strip())
        if found is None:
            raise UnknownScenario(code, sorted(self._by_code))
        return found

    def domains(self) -> dict[str, str]:
        """Every domain of joint rewards and punishments a scenario names, with its name."""
        return {s.domain: s.domain_name for s in self}

    @classmethod
    def load(cls, path: Path | None = None) -> ScenarioCatalogue:
        """The file at `path`, else the shipped one; a malformed entry fails naming it."""
        if path is None:
            return _shipped()
        return parse(*read_json(path, "scenarios.json"))


@cache  # every ledger a process (or a test) builds reads the same file: parse it once
def _shipped() -> ScenarioCatalogue:
    return parse(*read_json(None, "scenarios.json"))


def parse(raw: dict[str, Any], source: str) -> ScenarioCatalogue:
    """A catalogue from its JSON form (docs/checks.md), every reference checked."""
    memoranda = {}
    for code, entry in raw.get("memoranda", {}).items():
        where = f"{source}: memoranda.{code}"
        memoranda[code] = Memorandum(code, _text(entry, "title", where),
                                     entry.get("number") or None)
    rule = raw.get("dishonesty", {})
    try:
        dishonesty = DishonestyRule(
            tuple(ListName(n) for n in rule.get("lists", ("black", "key_attention"))),
            tuple(Severity(s) for s in rule.get("penalty_severities", ("general", "serious"))))
    except ValueError as exc:
        raise ValueError(f"{source}: dishonesty: {exc}") from None
    scenarios, seen = [], set()
    for i, entry in enumerate(raw.get("scenarios", [])):
        where = f"{source}: scenarios[{i}]"
        scenario = _scenario(entry, memoranda, where)
        if scenario.code in seen:
            raise ValueError(f"{where}: scenario {scenario.code!r} appears twice")
        seen.add(scenario.code)
        scenarios.append(scenario)
    return ScenarioCatalogue(str(raw.get("version", "")), scenarios, memoranda, dishonesty)


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: missing field {key!r}")
    return value.strip()


def _scenario(entry: dict[str, Any], memoranda: dict[str, Memorandum], where: str
              ) -> Scenario:
    code = _text(entry, "code", where)
    measures, seen = [], set()
    for j, m in enumerate(entry.get("measures", [])):
        at = f"{where}.measures[{j}]"
        measure = _measure(m, memoranda, at)
        if measure.code in seen:
            raise ValueError(f"{at}: measure {measure.code!r} appears twice in {code}")
        seen.add(measure.code)
        measures.append(measure)
    if not measures:
        raise ValueError(f"{where}: scenario {code!r} has no measures")
    return Scenario(code, _text(entry, "name", where), _text(entry, "domain", where),
                    _text(entry, "domain_name", where), tuple(measures))


def _measure(m: dict[str, Any], memoranda: dict[str, Memorandum], where: str) -> MeasureRule:
    cited = _text(m, "memorandum", where)
    if cited not in memoranda:
        raise ValueError(f"{where}: memorandum {cited!r} is not in memoranda")
    try:
        lists = tuple(ListName(n) for n in m.get("lists", ()))
        rule = MeasureRule(
            code=_text(m, "code", where), kind=MeasureKind(_text(m, "kind", where)),
            text=_text(m, "text", where), lists=lists, memorandum=memoranda[cited],
            listing_domains=tuple(Domain(d) for d in m.get("listing_domains", ())),
            subject_kinds=tuple(SubjectKind(k) for k in m.get("subject_kinds", ())),
            requires_no_dishonesty=bool(m.get("requires_no_dishonesty", False)))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    if not lists:
        raise ValueError(f"{where}: measure {rule.code!r} names no list")
    return rule
