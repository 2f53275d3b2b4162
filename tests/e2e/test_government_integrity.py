"""A government's own integrity over HTTP, on SQLite and PostgreSQL (plan §9, §12, §13, §16):
its defaults and their rectification on its public profile and in the scorecard; the legal
professions' coverage; third-party credit reports recorded on any subject."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.geography import geography_of, placed
from api.labelled import authority_names, label_profile, profile_authorities
from ledger.domain.resident_id import make_resident_id
from ledger.domain.uscc import make_uscc
from projections import profile_sql
from projections.storage import view_store
from tests.integrity_story import (
    ACME,
    BETA,
    BUREAU,
    LAW_FIRM,
    LAWYER,
    NOTARY,
    SCHOOL,
    Api,
    serve,
)

ARREARS = {"kind": "arrears", "creditor": "盘锦某某化工有限公司", "amount": "120000.00",
           "recorded_on": "2026-01-05", "deadline": "2026-03-31",
           "basis": "《保障中小企业款项支付条例》：工程款逾期未付"}
JUDGEMENT = {"kind": "judgement_unexecuted", "creditor": BETA, "recorded_on": "2026-02-02",
             "deadline": "2026-04-30", "basis": "（2025）辽11民终123号判决未履行"}


@pytest.fixture
def api(tmp_path: Path, database_url: str, unique_name: str) -> Iterator[Api]:
    yield from serve(tmp_path, database_url, unique_name)


def test_a_bodys_defaults_rectified_in_time_and_overdue_show_on_its_profile_and_scorecard(
        api: Api) -> None:
    api.register(BUREAU, "盘锦市兴隆台区某局", "government_body")
    api.register(ACME, "盘锦某某化工有限公司", "enterprise")
    # The credit office records that the body owes a company; the body pays within the
    # deadline and the office records it.
    arrears = api.write(f"/v1/subjects/{BUREAU}/government-defaults", ARREARS, "tok-credit")
    assert arrears["type"] == "GovernmentDefaultRecorded"
    paid = api.write(f"/v1/subjects/{BUREAU}/government-defaults/{arrears['default_id']}/"
                     "rectification", {"rectified_on": "2026-03-02", "evidence": "付款凭证"},
                     "tok-credit")
    assert (paid["type"], paid["in_time"]) == ("GovernmentDefaultRectified", True)
    # A judgement the body has not executed, past its deadline (today is 2026-06-01).
    judgement = api.write(f"/v1/subjects/{BUREAU}/government-defaults", JUDGEMENT,
                          "tok-credit")
    # The same default again is the same record; only its authority may rectify it.
    again = api.post(f"/v1/subjects/{BUREAU}/government-defaults", JUDGEMENT, "tok-credit")
    assert (again.status_code, again.json()["default_id"]) == (200, judgement["default_id"])
    other = api.post(f"/v1/subjects/{BUREAU}/government-defaults/{judgement['default_id']}/"
                     "rectification", {"rectified_on": "2026-05-02", "evidence": "x"},
                     "tok-tax")
    assert (other.status_code, other.json()["rule"]) == (403, "owner_only")

    # The body's public profile shows both, latest first.
    profile = api.read(f"/v1/subjects/{BUREAU}")
    shown = [(d["kind"], d["status"], d["in_time"]) for d in profile["government_defaults"]]
    assert shown == [("judgement_unexecuted", "open", None), ("arrears", "rectified", True)]
    assert profile["government_defaults"][1]["amount"] == "120000.00"
    # A company's profile has no such section.
    assert "government_defaults" not in api.read(f"/v1/subjects/{ACME}")
    # An auditor's as-of state: in force in mid-February, both were open.
    state = api.read(f"/v1/audit/subjects/{BUREAU}/state", "tok-auditor",
                     effective="2026-02-15")
    assert [d["status"] for d in state["profile"]["government_defaults"]] == ["open", "open"]
    # The replay's fold of the body's own stream holds them by the aggregate's rules.
    folded = api.read(f"/v1/audit/subjects/{BUREAU}/events", "tok-auditor")["state"]
    assert sorted(d["status"] for d in folded["government_defaults"].values()) == [
        "open", "rectified"]

    # The scorecard: of the two defaults due, one was rectified in time; one is overdue.
    card = api.indicators()
    assert card["government_default_rectification"]["value"] == 0.5
    assert card["government_default_rectification"]["passed"] is False
    assert card["government_default_rectification"]["detail"] == {
        "recorded": 2, "open": 1, "overdue": 1, "rectified_in_time": 1, "rectified_late": 0}
    assert (card["government_defaults_overdue"]["value"],
            card["government_defaults_overdue"]["passed"]) == (1, False)
    # In mid-March the judgement was still within its deadline: nothing overdue.
    march = api.indicators(as_of="2026-03-15")
    assert march["government_defaults_overdue"]["value"] == 0
    assert march["government_default_rectification"]["value"] == 1.0


def test_a_default_is_the_governments_only(api: Api) -> None:
    api.register(ACME, "盘锦某某化工有限公司", "enterprise")
    api.register(SCHOOL, "盘锦市兴隆台区某小学", "public_institution")
    head = api.runtime.ledger.head_position()
    r = api.post(f"/v1/subjects/{ACME}/government-defaults", ARREARS, "tok-credit")
    assert r.status_code == 422, r.text
    assert r.json()["rule"] == "government_only" and "enterprise" in r.json()["detail"]
    late = api.post(f"/v1/subjects/{SCHOOL}/government-defaults",
                    ARREARS | {"deadline": "2026-01-01"}, "tok-credit")
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "deadline"
    assert api.runtime.ledger.head_position() == head  # nothing stored
    # A public institution is the government's too.
    assert api.post(f"/v1/subjects/{SCHOOL}/government-defaults", ARREARS,
                    "tok-credit").status_code == 201


def test_the_profile_statement_on_postgresql_shows_the_section_as_sqlite_does(
        api: Api) -> None:
    api.register(BUREAU, "盘锦市兴隆台区某局", "government_body")
    api.write(f"/v1/subjects/{BUREAU}/government-defaults", ARREARS, "tok-credit")
    api.read(f"/v1/subjects/{BUREAU}")  # caught up
    for code in (BUREAU, ACME):
        served = api.get(f"/v1/subjects/{code}")  # no query string: the fast path
        with view_store(api.runtime).reader() as tx:
            found = profile_sql.profile(tx, code, "2026-06-01")
            # As the API answers it: labels, authority names and the region beside the codes.
            reference = None if found is None else label_profile(found, authority_names(
                api.runtime, tx, profile_authorities(found))) | placed(
                geography_of(api.runtime), code, found["kind"], found["authority"])
        if reference is None:
            assert served.status_code == 404
            continue
        assert served.status_code == 200
        assert list(served.json()) == list(reference)  # same keys, same order
        assert served.json() == reference


def test_legal_professions_carry_their_profession_and_are_counted_per_group(api: Api) -> None:
    # The justice bureau registers a lawyer, a notary and a law firm (a 31… code).
    lawyer = api.register(LAWYER, "张律师", "professional", "tok-justice",
                          profession="lawyer")["subject"]
    api.register(NOTARY, "赵公证", "professional", "tok-justice", profession="notary")
    api.register(LAW_FIRM, "辽宁正义律师事务所", "law_firm", "tok-justice")
    # Only the lawyer has a record in the file: a practice licence.
    api.write(f"/v1/subjects/{lawyer}/permits", {
        "decision_no": "盘司许〔2026〕1号", "category": "认可", "decided_on": "2026-02-02",
        "published_on": "2026-02-03", "certificate_name": "律师执业证"}, "tok-justice")
    groups = api.indicators()["legal_profession_files"]
    by_group = groups["detail"]["by_group"]
    assert by_group["lawyer"] == {"registered": 1, "with_records": 1, "share": 1.0}
    assert by_group["notary"] == {"registered": 1, "with_records": 0, "share": 0.0}
    assert by_group["law_firm"] == {"registered": 1, "with_records": 0, "share": 0.0}
    assert by_group["forensic_appraiser"]["share"] is None  # none registered
    assert (groups["value"], groups["passed"]) == (0.0, False)
    # The event carries the profession.
    ledger = api.runtime.ledger
    assert ledger.subject(lawyer).profession == "lawyer"
    # A USCC's category names the kind it is issued to; a profession is a professional's.
    head = ledger.head_position()
    for code, kind in ((make_uscc("3", "1", "211103", "00007774"), "enterprise"),
                       (make_uscc("9", "1", "211103", "MA0T4Q3X"), "law_firm"),
                       (make_uscc("1", "1", "211103", "00007775"), "public_institution")):
        r = api.post("/v1/subjects", {"code": code, "name": f"某单位{kind}", "kind": kind},
                     "tok-justice")
        assert r.status_code == 422, r.text
        assert (r.json()["rule"], r.json()["errors"][0]["field"]) == ("kind_of_code", "kind")
    number = make_resident_id("211122", date(1977, 3, 9), "418")
    person = api.post("/v1/subjects", {"code": number, "name": "赵某", "kind": "natural_person",
                                       "profession": "notary"}, "tok-justice")
    assert person.status_code == 422 and person.json()["rule"] == "profession_kind"
    assert number[3:17] not in person.text
    assert ledger.head_position() == head


def test_a_third_party_report_on_a_black_listed_subject_moves_the_report_coverage(
        api: Api) -> None:
    api.register(ACME, "盘锦某某化工有限公司", "enterprise")
    api.register(BETA, "盘锦某某物流有限公司", "enterprise")
    for code in (ACME, BETA):
        api.black_list(code, date(2026, 3, 16))
    before = api.indicators()["third_party_report_coverage"]
    assert (before["detail"]["reported"], before["detail"]["population"]) == (0, 2)
    # A credit agency's report on ACME, recorded by a provider outside any repair case.
    report = api.write(f"/v1/subjects/{ACME}/credit-reports", {
        "agency": "辽宁诚信评估有限公司", "report_no": "XY2026000017", "issued_on": "2026-05-10",
        "conclusion": "已纠正失信行为，信用状况一般"}, "tok-credit")
    assert report["type"] == "CreditReportRecorded"
    # One on BETA from more than 12 months ago does not count.
    api.write(f"/v1/subjects/{BETA}/credit-reports", {
        "agency": "辽宁诚信评估有限公司", "report_no": "XY2025000003", "issued_on": "2025-04-30",
        "conclusion": "信用状况良好"}, "tok-credit")
    after = api.indicators()["third_party_report_coverage"]
    assert (after["detail"]["reported"], after["value"]) == (1, 0.5)
    # A year on, ACME's report is too old as well.
    later = api.indicators(as_of="2027-05-11")["third_party_report_coverage"]
    assert later["detail"]["reported"] == 0
    # A report dated in the future is refused by field.
    r = api.post(f"/v1/subjects/{ACME}/credit-reports", {
        "agency": "辽宁诚信评估有限公司", "report_no": "XY2026999", "issued_on": "2026-07-01",
        "conclusion": "x"}, "tok-credit")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "issued_on"
