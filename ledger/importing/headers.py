"""A CSV header row read against the template table: which column feeds what, which edition.

Names are compared after `normalise`: exports write （） or (), full-width or half-width
letters, spaces, `_` or `-` or nothing between 代码 and its number, a trailing （元）/（万元）,
a `*` marking a required column. A name matching no column of either template, nor the
columns departments add, refuses the file, naming the closest known name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.importing.templates import (
    BOTH,
    EDITION_2021,
    EDITION_EARLIER,
    EXTRA,
    PENALTY,
    PERMIT,
    TEMPLATES,
)

_UNIT = re.compile(r"\((万?元)\)$")
_NUMBERED = re.compile(r"^(行政相对人代码_?\d)\(.+\)$")
_DROPPED = re.compile(r"[\s_\-—–*:]+")


class HeaderError(ValueError):
    """The header row cannot be read as a permit or penalty file; nothing is imported."""


def normalise(name: str) -> tuple[str, str | None]:
    """The comparison key of a column name, and the unit it states (元 or 万元), if any."""
    text = unicodedata.normalize("NFKC", name.lstrip("\ufeff")).casefold()
    text = _DROPPED.sub("", text)
    unit = _UNIT.search(text)
    return (text[:unit.start()], unit[1]) if unit else (text, None)


@dataclass(frozen=True)
class Known:
    """A column the importer reads: its standard spelling, what it feeds, where it occurs."""

    name: str
    target: str
    kinds: frozenset[str]  # permit, penalty
    editions: frozenset[str]  # the templates listing it (empty: not a template column)


def _index() -> dict[str, list[Known]]:
    found: dict[tuple[str, str], tuple[set[str], set[str], str]] = {}

    def add(name: str, target: str, kinds: frozenset[str], editions: set[str]) -> None:
        key = normalise(name)[0]
        seen = found.setdefault((key, target), (set(), set(), name))
        seen[0].update(kinds)
        seen[1].update(editions)

    for (edition, kind), columns in TEMPLATES.items():
        for name, target in columns:
            add(name, target, frozenset({kind}), {edition})
            if (bare := _NUMBERED.match(name)) is not None:  # 行政相对人代码_2 without its label
                add(bare[1], target, BOTH, {edition})
    for name, target, kinds in EXTRA:
        add(name, target, kinds, set())
    index: dict[str, list[Known]] = {}
    for (key, target), (seen_kinds, editions, name) in found.items():
        index.setdefault(key, []).append(Known(name, target, frozenset(seen_kinds),
                                               frozenset(editions)))
    return index


INDEX = _index()
NAMES = {normalise(known.name)[0]: known.name for entries in INDEX.values() for known in entries}


@dataclass(frozen=True)
class Column:
    """One column of a file: its name as written, what it feeds, and its unit."""

    header: str
    target: str
    unit: str | None


class Header:
    """The columns of a file, the record kind they make, and the template edition they follow."""

    def __init__(self, names: Sequence[str]) -> None:
        keyed = [(name.strip().lstrip("\ufeff"), *normalise(name)) for name in names]
        unknown = [(name, key) for name, key, _ in keyed if key not in INDEX]
        if unknown:
            raise HeaderError("unknown column(s) " + "; ".join(
                _unknown(name, key) for name, key in unknown)
                + " (docs/import.md lists the columns of both templates)")
        self.edition = _edition([INDEX[key] for _, key, _ in keyed])
        self.columns = [Column(name, self._pick(INDEX[key]).target, unit)
                        for name, key, unit in keyed]
        kinds = [self._pick(INDEX[key]).kinds for _, key, _ in keyed]
        penalty = any(k == PENALTY for k in kinds)
        if penalty and any(k == PERMIT for k in kinds):
            raise HeaderError("the header mixes penalty and permit columns; use two files")
        self.record = "penalty" if penalty else "permit"

    def _pick(self, entries: list[Known]) -> Known:
        """The entry of this file's edition where the editions differ (行政相对人代码_2 ...)."""
        if len(entries) == 1:
            return entries[0]
        return next((e for e in entries if self.edition in e.editions), entries[0])


def _edition(columns: list[list[Known]]) -> str | None:
    """The edition whose own columns the file has more of; None for neither (own names)."""
    votes = {EDITION_2021: 0, EDITION_EARLIER: 0}
    for entries in columns:
        editions = set().union(*(e.editions for e in entries))
        if len(editions) == 1:
            votes[editions.pop()] += 1
    if not any(votes.values()):
        return None
    return EDITION_EARLIER if votes[EDITION_EARLIER] > votes[EDITION_2021] else EDITION_2021


def _unknown(name: str, key: str) -> str:
    close = difflib.get_close_matches(key, NAMES, n=1, cutoff=0.5)
    return f"{name!r}" + (f" (did you mean {NAMES[close[0]]!r}?)" if close else "")
