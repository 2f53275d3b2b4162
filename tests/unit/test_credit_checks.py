"""Credit checks (信用核查) without services: the shipped catalogue, which measures apply to
whom, the check log's replays and counting, and the indicators they move."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from ledger.domain.credit_check import CheckLog, measures_for
from ledger.domain.scenarios import ScenarioCatalogue, UnknownScenario
from ledger.domain.subject import Subject
from projections.views import indicators
from projections.views._scorecard import scorecard
from replay.render import checks_table
from tests.unit._story import AUTHORITY, Story
from tests.unit.test_views_indicators import project

CATALOGUE = ScenarioCatalogue.load()
TODAY = date(2030, 1, 1)
PROCUREMENT_OFFICE = "11210000000000011X"


def test_the_shipped_catalogue_covers_the_plans_forty_domains_and_cites_its_sources() -> None:
    domains = CATALOGUE.domains()
    assert len(domains) >= 40  # the plan: joint rewards and punishments in at least 40 domains
    for code in ("government_procurement", "bidding", "bank_loans", "land_supply",
                 "public_funds", "tax_administration", "customs_clearance", "market_entry",
                 "qualification_approval", "honours_awards", "civil_service_recruitment",
                 "rail_travel", "air_travel", "missing_documents_acceptance", "green_channel",
                 "routine_inspection"):
        assert CATALOGUE.get(code).measures, code
    kinds = {m.kind.value for s in CATALOGUE for m in s.measures}
    assert kinds == {"restrict", "incentive"}
    executee = CATALOGUE.memoranda["executee_2016"]
    assert (executee.title, executee.number) == ("关于对失信被执行人实施联合惩戒的合作备忘录",
                                                 "发改财金〔2016〕141号")


def test_an_unknown_scenario_is_named_with_every_choice() -> None:
    with pytest.raises(UnknownScenario) as refused:
        CATALOGUE.get("procurement")
    assert "'procurement'" in refused.value.message
    assert "government_procurement" in refused.value.members()["choices"]


def test_a_catalogue_citing_a_memorandum_it_lacks_fails_naming_the_entry(tmp_path: Path
                                                                         ) -> None:
    path = tmp_path / "scenarios.json"
    path.write_text(json.dumps({"version": "x", "memoranda": {}, "scenarios": [
        {"code": "a", "name": "A", "domain": "a", "domain_name": "A", "measures": [
            {"code": "m", "kind": "restrict", "lists": ["black"], "text": "t",
             "memorandum": "nowhere"}]}]}))
    with pytest.raises(ValueError, match=r"scenarios\[0\]\.measures\[0\]: memorandum 'nowhere'"):
        ScenarioCatalogue.load(path)


class Desk:
    """One subject and its check log, as the use case holds them."""

    def __init__(self, kind: str = "enterprise", code: str = "E1") -> None:
        self.story = Story()
        self.code = self.story.register(code, kind=kind)
        self.log: CheckLog | None = None
        self.checks: dict[int, dict[str, Any]] = {}  # version -> the check's data

    @property
    def subject(self) -> Subject:
        return self.story.subjects[self.code]

    def check(self, scenario: str, matter_no: str | None = None, on: date = TODAY
              ) -> tuple[int, dict[str, Any]]:
        found = CATALOGUE.get(scenario)
        outcome = measures_for(self.subject, found, CATALOGUE, on)
        if self.log is None:
            self.log = CheckLog.open(subject=self.code, on=on, authority=PROCUREMENT_OFFICE,
                                     actor="system")
        version = self.log.record(scenario=found, catalogue=CATALOGUE.version,
                                  matter_no=matter_no, subject_kind=self.subject.kind,
                                  outcome=outcome, on=on, authority=PROCUREMENT_OFFICE,
                                  actor="system")
        pending: list[Any] = self.log.pending_events
        if pending:  # the check's event (the log keeps no copy: docs/adr/036)
            self.checks[version] = pending[-1].data
        self.story._collect(self.log)  # type: ignore[arg-type]
        return version, self.checks[version]


def test_a_black_listed_subject_is_restricted_in_procurement_with_the_basis() -> None:
    desk = Desk()
    listing = desk.story.listing("E1", "black", on="2029-06-01", domain="judicial")
    _, check = desk.check("government_procurement", "ZC-2030-001")
    [measure] = check["measures"]
    assert (measure["measure"], measure["kind"]) == ("procurement_ban", "restrict")
    assert measure["basis"] | {"memorandum": None} == {
        "list": "black", "listing_id": listing, "domain": "judicial", "authority": AUTHORITY,
        "listed_on": "2029-06-01", "memorandum": None}
    assert measure["basis"]["memorandum"]["number"] == "国发〔2016〕33号"
    assert check["new_measures"] == 1 and check["withheld"] == []


def test_a_red_listed_subject_is_accepted_with_missing_documents_unless_dishonest() -> None:
    desk = Desk()
    desk.story.listing("E1", "red", on="2029-06-01", domain="tax")
    _, check = desk.check("missing_documents_acceptance")
    assert [(m["measure"], m["kind"]) for m in check["measures"]] == [
        ("missing_documents", "incentive")]
    assert "容缺受理" in check["measures"][0]["text"]
    # A serious penalty still in publicity is an unrepaired dishonesty record (DOMAIN.md).
    fine = desk.story.penalty("E1", "serious", on="2029-10-01")
    _, check = desk.check("missing_documents_acceptance")
    assert check["measures"] == []
    [withheld] = check["withheld"]
    assert (withheld["measure"], withheld["reason"]) == ("missing_documents",
                                                         "unrepaired_dishonesty")
    assert withheld["records"] == [{"record": "penalty", "id": fine, "authority": AUTHORITY,
                                    "severity": "serious"}]


def test_key_attention_brings_closer_review_and_a_clean_subject_nothing() -> None:
    desk = Desk()
    assert desk.check("qualification_approval")[1]["measures"] == []
    desk.story.listing("E1", "key_attention", on="2029-06-01", domain="tax")
    _, check = desk.check("qualification_approval")
    assert [(m["measure"], m["kind"]) for m in check["measures"]] == [
        ("close_review", "restrict")]
    # A lapsed listing no longer applies: shown until its expiry only.
    later = desk.check("qualification_approval", on=date(2035, 1, 1))[1]
    assert later["measures"] == []


def test_travel_restrictions_are_for_persons_listed_in_their_domains() -> None:
    company, person = Desk(), Desk("natural_person", "p-" + "1" * 32)
    for desk in (company, person):
        desk.story.listing(desk.code, "black", on="2029-06-01", domain="judicial")
    assert company.check("rail_travel")[1]["measures"] == []
    assert [m["measure"] for m in person.check("rail_travel")[1]["measures"]] == [
        "rail_executee"]


def test_a_matter_rechecked_records_a_new_outcome_only_and_counts_each_measure_once() -> None:
    desk = Desk()
    desk.story.listing("E1", "black", on="2029-06-01", domain="tax")
    first, check = desk.check("tax_administration", "SW-1")
    assert check["new_measures"] == 2
    again, _ = desk.check("tax_administration", "SW-1")
    assert again == first  # the same answer again: nothing recorded
    assert desk.log is not None and not desk.log.pending_events
    # Another matter counts anew; an unnumbered check is always recorded.
    assert desk.check("tax_administration", "SW-2")[1]["new_measures"] == 2
    assert desk.check("tax_administration")[0] == first + 2


def test_applied_measures_move_the_joint_indicators() -> None:
    desk = Desk()
    desk.story.listing("E1", "black", on="2029-06-01", domain="tax")
    desk.check("government_procurement", "ZC-1", on=date(2029, 7, 1))
    desk.check("tax_administration", "SW-1", on=date(2029, 7, 2))
    desk.check("tax_administration", "SW-1", on=date(2029, 7, 2))  # a replay
    desk.check("green_channel", on=date(2029, 7, 3))  # nothing applies: checked, no measure
    card = {i["id"]: i for i in scorecard(indicators.VIEW, project(desk.story), "2029-12-31")}
    domains, cases = card["joint_domains"], card["joint_cases_per_listing"]
    assert (domains["value"], domains["detail"]["checked_domains"]) == (2, 3)
    assert cases["detail"] == {"cases": 3, "check_measures": 3, "closed_cases": 0,
                               "red_and_black": 1}
    assert cases["value"] == 3.0
    before = {i["id"]: i for i in scorecard(indicators.VIEW, project(desk.story), "2029-06-30")}
    assert before["joint_domains"]["value"] == 0


def test_the_auditors_history_table_shows_who_checked_what() -> None:
    desk = Desk()
    desk.story.listing("E1", "black", on="2029-06-01", domain="judicial")
    desk.check("government_procurement", "ZC-1")
    log = [e for e in desk.story.envelopes if e["subject"] == "E1" and "Check" in e["type"]]
    console = Console(width=200, record=True)
    console.print(checks_table({"checks": {"chain_ok": True, "events": log}}))
    text = console.export_text()
    assert "1 recorded, chain intact" in text
    assert all(s in text for s in (PROCUREMENT_OFFICE, "ZC-1", "restrict:procurement_ban"))
