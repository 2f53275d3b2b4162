"""Chinese labels beside the codes of what the public reads, for the API and the portal alike.

Every code keeps its field; its label goes beside it as `<field>_label` (`domain_label`,
`severity_label`, ...), and an authority's USCC gets `authority_name`: the authority
catalogue's name (LEDGER_AUTHORITIES_FILE, kept with the regions: api.geography), else the
name the authority registered under as a subject, else null. The labels come from the one
table, ledger.domain.labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from api.geography import geography_of, placed
from ledger.domain.authorities import AuthorityCatalogue
from ledger.domain.labels import GRADES, LABELS, SCORE_RULES, label, text_label
from ledger.domain.vocabulary import (
    CommitmentStatus,
    CommitmentType,
    DelistReason,
    Domain,
    GovernmentDefaultKind,
    GovernmentDefaultStatus,
    ListName,
    PenaltyStatus,
    PermitStatus,
    PrincipalRole,
    Severity,
    SubjectKind,
)
from ledger.runtime import Runtime
from projections import portal_reads
from projections.storage import view_store
from projections.tx import Tx, ViewsNotReady

# (field, label field, code → label) for each coded field of a kind of record: the profile's
# hot path looks each code up in a plain dict.
Fields = tuple[tuple[str, str, dict[str, str]], ...]


def fields(**tables: type[StrEnum] | dict[str, str]) -> Fields:
    return tuple((key, f"{key}_label", table if isinstance(table, dict) else LABELS[table])
                 for key, table in tables.items())


SUBJECT = fields(kind=SubjectKind)
LISTING = fields(list=ListName, domain=Domain, kind=SubjectKind, delist_reason=DelistReason)
PERMIT = fields(status=PermitStatus)
PENALTY = fields(severity=Severity, domain=Domain, status=PenaltyStatus)
COMMITMENT = fields(type=CommitmentType, status=CommitmentStatus)
PRINCIPAL = fields(role=PrincipalRole)
LED = fields(kind=SubjectKind, role=PrincipalRole)
DOMAIN = fields(domain=Domain)
NAMES_ONLY = fields()
GOVERNMENT_DEFAULT = fields(kind=GovernmentDefaultKind, status=GovernmentDefaultStatus)
PROFILE_SECTIONS: dict[str, Fields] = {"lists": LISTING, "permits": PERMIT,
                                       "penalties": PENALTY, "commitments": COMMITMENT,
                                       "principals": PRINCIPAL,
                                       "government_defaults": GOVERNMENT_DEFAULT}



def catalogue(runtime: Runtime) -> AuthorityCatalogue:
    """The process's authority catalogue: the one its regions use (api/geography.py)."""
    return geography_of(runtime).catalogue


def authority_names(runtime: Runtime, tx: Tx, codes: Iterable[str | None]) -> dict[str, str]:
    """Names for these authority codes: the catalogue's, else their registered names (one
    query, only for codes the catalogue lacks)."""
    book = catalogue(runtime)
    names, missing = {}, set()
    for code in codes:
        if code and code not in names:
            name = book.name_of(code)
            if name is None:
                missing.add(code)
            else:
                names[code] = name
    if missing:
        names |= portal_reads.names_of(tx, sorted(missing))
    return names


def one_label(table: type[StrEnum] | dict[str, str], value: Any) -> str | None:
    if value is None:
        return None
    return text_label(table, str(value)) if isinstance(table, dict) else label(str(value), table)


def labelled(item: Mapping[str, Any], fields: Fields,
             names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The item with `<field>_label` for each coded field and, when names are given,
    `authority_name` for `authority` (after the item's own fields: JSON objects are unordered).
    An unknown code is its own label; a null code has a null label."""
    out = dict(item)
    for key, label_key, table in fields:
        if key in item:
            value = item[key]
            out[label_key] = None if value is None else table.get(value, value)
    if names is not None and "authority" in item:
        out["authority_name"] = names.get(item["authority"]) if item["authority"] else None
    return out


def profile_authorities(profile: Mapping[str, Any]) -> set[str]:
    """Every authority code a profile mentions."""
    found = {profile.get("authority")}
    for section in ("lists", "permits", "penalties", "commitments", "government_defaults"):
        found |= {row.get("authority") for row in profile.get(section, ())}
    for org in profile.get("led_organisations", ()):
        found |= {row.get("authority") for row in org.get("dishonest_listings", ())}
        found |= {row.get("authority") for row in org.get("penalties", ())}
    return {code for code in found if code}


def label_profile(profile: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A public profile with labels beside every code, at every level."""
    out = labelled(profile, SUBJECT, names)
    for section, fields in PROFILE_SECTIONS.items():
        if section in out:
            out[section] = [labelled(row, fields, names) for row in out[section]]
    if "led_organisations" in out:
        out["led_organisations"] = [
            labelled(org, LED, names) | {
                "dishonest_listings": [labelled(r, LISTING, names)
                                       for r in org.get("dishonest_listings", ())],
                "penalties": [labelled(r, PENALTY, names) for r in org.get("penalties", ())]}
            for org in out["led_organisations"]]
    return out


def label_score(score: Mapping[str, Any]) -> dict[str, Any]:
    """A score's answer with its grade's label and each explanation line's rule label."""
    return dict(score) | {
        "grade_label": text_label(GRADES, score["grade"]),
        "explanation": [dict(line) | {"rule_label": text_label(SCORE_RULES, line["rule"])}
                        for line in score["explanation"]]}


def label_state(runtime: Runtime, state: Mapping[str, Any]) -> dict[str, Any]:
    """An auditor's as-of state labelled as the public answers were: the codes are the record
    of then; labels and authority names are today's (the catalogue, registered names)."""
    profile, score = state.get("profile"), state.get("score")
    names: dict[str, str] = {}
    if profile is not None:
        try:
            with view_store(runtime).reader() as tx:
                names = authority_names(runtime, tx, profile_authorities(profile))
        except ViewsNotReady:  # as-of needs no views: the catalogue's names only, then
            book = catalogue(runtime)
            names = {c: n for c in profile_authorities(profile) if (n := book.name_of(c))}
    if profile is not None:  # placed in its region as the public answer is (docs/adr/026)
        profile = label_profile(profile, names) | placed(
            geography_of(runtime), profile["code"], profile.get("kind"),
            profile.get("authority"))
    return dict(state) | {
        "profile": profile,
        "score": None if score is None else label_score(score)}
