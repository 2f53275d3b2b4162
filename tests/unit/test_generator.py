"""The synthetic city: the same file for the same seed, valid codes, plausible proportions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.domain.calendar import WorkingCalendar
from ledger.domain.listing_rules import check_notice, check_period
from ledger.domain.publicity import published_late
from ledger.domain.repair import RepairPolicy
from ledger.domain.resident_id import validate_resident_id
from ledger.domain.uscc import kind_of_uscc, validate_uscc
from ledger.domain.vocabulary import CommitmentType, Domain, ListName, Severity
from ledger.generator.city import generate, reference_date
from ledger.generator.data import AUTHORITIES, CERTIFICATES
from ledger.generator.legal import INSTITUTION_PREFIX, LICENCES
from ledger.importing.rows import parse_record

PERSONS = ("natural_person", "professional")
CALENDAR = WorkingCalendar.default()
DATE_FIELDS = ("registered_on", "since", "decided_on", "published_on", "notified_on",
               "listed_on", "made_on", "on")


@pytest.fixture(scope="module")
def city() -> list[dict[str, Any]]:
    return list(generate(3000, seed=11))


def of(city: list[dict[str, Any]], record: str) -> list[dict[str, Any]]:
    return [r for r in city if r["record"] == record]


def test_the_same_seed_gives_the_same_city_and_another_seed_another() -> None:
    assert list(generate(200, seed=4)) == list(generate(200, seed=4))
    assert list(generate(200, seed=4)) != list(generate(200, seed=5))


def test_every_code_is_valid_and_every_subject_unique(city: list[dict[str, Any]]) -> None:
    subjects = of(city, "subject")
    for s in subjects:
        if s["kind"] in PERSONS:
            assert validate_resident_id(s["code"]) == s["code"]
        else:
            assert validate_uscc(s["code"]) == s["code"]
    assert len({s["code"] for s in subjects}) == len(subjects)
    # One name under two codes is what the USCC duplicate indicator counts: names are unique.
    organisations = [s["name"] for s in subjects if s["kind"] not in PERSONS]
    assert len(set(organisations)) == len(organisations)
    # Every record is recorded by a real authority of the city, itself a registered subject.
    authorities = {s["code"] for s in subjects if s["kind"] == "government_body"}
    assert {r["authority"] for r in city} <= authorities


def test_every_record_passes_the_importers_validation(city: list[dict[str, Any]]) -> None:
    for line, record in enumerate(city, start=1):
        parse_record(record, line, None, b"test-key")


def test_facts_name_registered_subjects_and_principals_are_registered_persons(
    city: list[dict[str, Any]],
) -> None:
    registered, seen = set(), set()
    for r in city:
        if r["record"] == "subject":
            registered.add(r["code"])
        elif r["record"] == "civil_servant":
            assert r["organisation"] in registered  # their body is registered before them
        elif r["record"] != "civil_servant_record":
            assert r["subject"] in registered  # a subject is registered before its facts
        seen.add(r["record"])
    persons = {s["code"] for s in of(city, "subject") if s["kind"] == "natural_person"}
    principals = of(city, "principal")
    assert principals and {p["principal"] for p in principals} <= persons
    assert seen == {"subject", "principal", "permit", "penalty", "listing", "commitment",
                    "commitment_outcome", "credit_report", "government_default",
                    "default_rectification", "civil_servant", "civil_servant_record"}


def test_the_mix_of_subjects_is_plausible(city: list[dict[str, Any]]) -> None:
    kinds = Counter(s["kind"] for s in of(city, "subject"))
    assert 0.40 < kinds["enterprise"] / 3000 < 0.60
    assert 0.10 < kinds["natural_person"] / 3000 < 0.25
    assert all(kinds[k] for k in ("individual_business", "farmer_cooperative", "professional",
                                  "social_organisation", "public_institution"))


def test_penalties_cover_every_domain_and_severity_with_some_late_and_some_old(
    city: list[dict[str, Any]],
) -> None:
    penalties = of(city, "penalty")
    assert {p["domain"] for p in penalties} == {d.value for d in Domain}
    assert {p["severity"] for p in penalties} == {s.value for s in Severity}
    calendar = WorkingCalendar.default()
    late = [p for p in penalties if published_late(date.fromisoformat(p["decided_on"]),
                                                   date.fromisoformat(p["published_on"]),
                                                   calendar)]
    assert 0.05 < len(late) / len(penalties) < 0.25
    before = [p for p in penalties if p["decided_on"] < "2026-04-01"]
    assert 0.5 < len(before) / len(penalties) < 0.97  # both rule sets are exercised


def test_listings_cover_the_three_lists_after_prior_notice(city: list[dict[str, Any]]) -> None:
    listings = of(city, "listing")
    assert {x["list"] for x in listings} == {n.value for n in ListName}
    assert all(x["notified_on"] <= x["listed_on"] < x["expires_on"] for x in listings)
    # Every listing meets the default policy: 5 working days' notice, within the maximum.
    for x in listings:
        listed = date.fromisoformat(x["listed_on"])
        check_notice(date.fromisoformat(x["notified_on"]), listed, 5, CALENDAR)
        check_period(RepairPolicy(), x["list"], x["domain"], listed,
                     date.fromisoformat(x["expires_on"]))
    penalised = {p["subject"] for p in of(city, "penalty")}
    black = [x for x in listings if x["list"] == "black"]
    assert black and sum(x["subject"] in penalised for x in black) / len(black) > 0.5


def test_commitments_of_every_type_some_kept_some_broken(city: list[dict[str, Any]]) -> None:
    commitments = of(city, "commitment")
    assert {c["type"] for c in commitments} == {t.value for t in CommitmentType}
    market = {s["code"] for s in of(city, "subject")
              if s["kind"] in ("enterprise", "individual_business", "farmer_cooperative")}
    committed = {c["subject"] for c in commitments} & market
    assert len(committed) / len(market) > 0.85  # the plan's target is 90 %
    outcomes = Counter(o["outcome"] for o in of(city, "commitment_outcome"))
    assert outcomes["fulfilled"] > outcomes["breached"] > 0


def test_every_date_is_before_the_seeds_reference_date_which_is_past(
    city: list[dict[str, Any]],
) -> None:
    today = reference_date(11)
    assert today < datetime.now(UTC).date()
    dates = [r[f] for r in city for f in DATE_FIELDS if f in r]
    assert max(dates) <= today.isoformat()


def test_authorities_grant_only_the_certificates_of_their_domains(
    city: list[dict[str, Any]],
) -> None:
    catalogue = {a.code: a for a in AUTHORITIES}
    justice = next(a for a in AUTHORITIES if a.name == "盘锦市司法局")
    for permit in of(city, "permit"):
        authority = catalogue[permit["authority"]]
        if authority is justice:  # practice licences of what it registers
            assert permit["certificate_name"] in LICENCES.values()
            continue
        granted = {c for d in authority.domains for c in CERTIFICATES.get(d.value, ())}
        assert permit["certificate_name"] in granted, (authority.name, permit)
    # No tax bureau issues a discharge permit; no court grants anything.
    tax = next(a.code for a in AUTHORITIES if a.name == "国家税务总局盘锦市税务局")
    court = next(a.code for a in AUTHORITIES if a.name == "盘锦市中级人民法院")
    assert not [p for p in of(city, "permit") if p["authority"] == tax
                and p["certificate_name"] == "排污许可证"]
    assert not [p for p in of(city, "permit") if p["authority"] == court]


def test_the_legal_professions_and_their_institutions_in_a_citys_proportions(
    city: list[dict[str, Any]],
) -> None:
    subjects = of(city, "subject")
    professionals = [s for s in subjects if s["kind"] == "professional"]
    legal = [s for s in professionals if s.get("profession")]
    # About a third of the professionals are in a legal profession, lawyers the most of them.
    assert 0.15 < len(legal) / len(professionals) < 0.45
    professions = Counter(s["profession"] for s in legal)
    assert professions.most_common(1)[0][0] == "lawyer"
    justice = next(a.code for a in AUTHORITIES if a.name == "盘锦市司法局")
    assert {s["authority"] for s in legal} == {justice}
    institutions = Counter(s["kind"] for s in subjects if s["kind"] in INSTITUTION_PREFIX)
    assert set(institutions) == set(INSTITUTION_PREFIX)
    assert institutions["law_firm"] > institutions["notary_office"]
    assert sum(institutions.values()) / len(subjects) < 0.02
    # Their codes name their kind (GB 32100 categories 31-34).
    assert all(kind_of_uscc(s["code"]) == s["kind"] for s in subjects
               if s["kind"] not in PERSONS)


def test_reports_defaults_and_civil_servants_in_a_citys_proportions(
    city: list[dict[str, Any]],
) -> None:
    listings = of(city, "listing")
    dishonest = {x["subject"] for x in listings if x["list"] in ("black", "key_attention")}
    reported = {r["subject"] for r in of(city, "credit_report")}
    # Most dishonest subjects get a third-party report; few others do.
    assert 0.5 < len(reported & dishonest) / len(dishonest) < 0.9
    assert len(reported - dishonest) < len(of(city, "subject")) * 0.05
    kinds = {s["code"]: s["kind"] for s in of(city, "subject")}
    defaults = of(city, "government_default")
    assert defaults and {kinds[d["subject"]] for d in defaults} <= {"government_body",
                                                                    "public_institution"}
    assert all(d["recorded_on"] < d["deadline"] for d in defaults)
    servants = of(city, "civil_servant")
    assert 0.01 < len(servants) / 3000 < 0.03
    assert {kinds[s["organisation"]] for s in servants} == {"government_body"}
    assert len({s["id_number"] for s in servants}) == len(servants)
    entries = Counter(r["kind"] for r in of(city, "civil_servant_record"))
    assert entries["integrity_commitment"] > len(servants) * 0.7
