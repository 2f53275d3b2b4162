"""Civil servants' integrity files (公务员诚信档案, plan §9), over HTTP on SQLite and PostgreSQL:
kept by the organisation department, read by it and by auditors only, never public; no event
carries the name or the ID number; a file shows what the ledger holds against the same person
(穿透: listed themselves, or running a dishonest company)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson
import pytest

from ledger.store.notifications import envelope_from_notification
from tests.integrity_story import (
    ACME,
    BUREAU,
    CLERK,
    OFFICIAL,
    PERSONNEL,
    Api,
    serve,
)

SANCTION = {"kind": "sanction", "on": "2026-03-02", "basis": "《公职人员政务处分法》第三十二条",
            "authority": "中共盘锦市纪律检查委员会", "document_no": "盘纪〔2026〕3号"}


@pytest.fixture
def api(tmp_path: Path, database_url: str, unique_name: str) -> Iterator[Api]:
    yield from serve(tmp_path, database_url, unique_name)


def open_file(api: Api, number: str, name: str, post: str = "科长") -> str:
    r = api.post("/v1/civil-servants", {"id_number": number, "name": name,
                                        "organisation": BUREAU, "post": post}, "tok-personnel")
    assert r.status_code == 201, r.text
    # The answer names the file by pseudonym: neither the number nor the name comes back.
    assert number[3:17] not in r.text and name not in r.text
    servant: str = r.json()["id"]
    assert servant.startswith("p-") and r.json()["type"] == "CivilServantRegistered"
    return servant


def test_a_personnel_officer_keeps_a_file_that_only_personnel_and_auditors_read(
        api: Api) -> None:
    api.register(BUREAU, "盘锦市兴隆台区某局", "government_body")
    # The organisation department opens a file and records a sanction.
    clerk = open_file(api, CLERK, "李四")
    sanction = api.post(f"/v1/civil-servants/{clerk}/records", SANCTION, "tok-personnel")
    assert sanction.status_code == 201, sanction.text
    record_id = sanction.json()["record_id"]
    # The same entry again is the same entry (200, nothing new).
    again = api.post(f"/v1/civil-servants/{clerk}/records", SANCTION, "tok-personnel")
    assert (again.status_code, again.json()["record_id"]) == (200, record_id)

    file = api.read(f"/v1/civil-servants/{clerk}", "tok-personnel")
    assert (file["name"], file["post"], file["organisation"]) == ("李四", "科长", BUREAU)
    assert file["organisation_name"] == "盘锦市兴隆台区某局"
    assert file["masked"].startswith(CLERK[:3]) and CLERK[3:17] not in file["masked"]
    [entry] = file["records"]
    assert (entry["kind"], entry["kind_label"], entry["authority"], entry["recorded_by"]) == (
        "sanction", "处分", "中共盘锦市纪律检查委员会", PERSONNEL)
    assert file["penetration"]["flagged"] is False
    # Read as of a day before the sanction: not there yet.
    assert api.read(f"/v1/civil-servants/{clerk}", "tok-personnel",
                    as_of="2026-03-01")["records"] == []
    # An auditor reads it too; a provider may not, the public not at all.
    assert api.read(f"/v1/civil-servants/{clerk}", "tok-auditor")["name"] == "李四"
    assert api.get(f"/v1/civil-servants/{clerk}", "tok-market").status_code == 403
    assert api.get(f"/v1/civil-servants/{clerk}").status_code == 401
    assert api.get("/v1/civil-servants", "tok-market").status_code == 403
    assert api.post(f"/v1/civil-servants/{clerk}/records", SANCTION,
                    "tok-auditor").status_code == 403  # reading is not keeping
    # The organisation's files, with their entries per kind.
    page = api.read("/v1/civil-servants", "tok-personnel", organisation=BUREAU)
    assert page["total"] == 1
    assert page["items"][0] | {"registered_on": None} == {
        "id": clerk, "name": "李四", "organisation": BUREAU, "post": "科长",
        "registered_on": None, "records": {"sanction": 1}}
    assert api.read("/v1/civil-servants", "tok-personnel", organisation=ACME)["total"] == 0
    # Never public: no profile, no search hit, no list.
    assert api.get(f"/v1/subjects/{clerk}").status_code == 404
    assert api.read("/v1/subjects", q="李四")["total"] == 0


def test_no_event_carries_the_name_or_the_id_number(api: Api) -> None:
    api.register(BUREAU, "盘锦市兴隆台区某局", "government_body")
    clerk = open_file(api, CLERK, "李四")
    api.write(f"/v1/civil-servants/{clerk}/records", SANCTION, "tok-personnel")
    ledger = api.runtime.ledger
    envelopes = [envelope_from_notification(n) for n in ledger.recorder.select_notifications(
        1, ledger.head_position())]
    mine = [e for e in envelopes if e["type"].startswith("CivilServant")]
    assert [e["type"] for e in mine] == ["CivilServantRegistered", "CivilServantRecorded"]
    assert {e["subject"] for e in mine} == {clerk}
    for envelope in mine:
        text = orjson.dumps(envelope).decode()
        assert "李四" not in text and CLERK[3:17] not in text and CLERK[-4:] not in text
    # The name is bound to the chain by a keyed digest, not written into it.
    assert len(mine[0]["data"]["name_digest"]) == 64


def test_a_file_shows_a_listed_person_and_a_dishonest_company_they_run(api: Api) -> None:
    api.register(BUREAU, "盘锦市兴隆台区某局", "government_body")
    # An official runs a company on the side; the company is black-listed.
    official = open_file(api, OFFICIAL, "王五", post="副局长")
    api.register(ACME, "盘锦某某化工有限公司", "enterprise")
    api.write(f"/v1/subjects/{ACME}/principals", {
        "principal": OFFICIAL, "role": "legal_representative", "name": "王五",
        "since": "2021-05-06"}, "tok-market")
    listing = api.black_list(ACME, date(2026, 3, 16))
    file = api.read(f"/v1/civil-servants/{official}", "tok-personnel")
    penetration = file["penetration"]
    assert penetration["flagged"] is True
    [company] = penetration["dishonest_organisations"]
    assert (company["code"], company["role"]) == (ACME, "legal_representative")
    assert [x["listing_id"] for x in company["dishonest_listings"]] == [listing["listing_id"]]
    assert penetration["listings"] == []
    # A clerk who is a listed person (a court's judgement debtor) is flagged too.
    clerk = open_file(api, CLERK, "李四")
    api.register(CLERK, "李四", "natural_person")
    api.black_list(clerk, date(2026, 4, 13))
    flagged = api.read(f"/v1/civil-servants/{clerk}", "tok-personnel")["penetration"]
    assert flagged["flagged"] is True and [x["list"] for x in flagged["listings"]] == ["black"]
    # As of a day before either listing, nothing was held against them.
    assert api.read(f"/v1/civil-servants/{official}", "tok-personnel",
                    as_of="2026-03-01")["penetration"]["flagged"] is False


def test_bad_requests_are_refused_by_field_and_store_nothing(api: Api) -> None:
    api.register(BUREAU, "盘锦市兴隆台区某局", "government_body")
    api.register(ACME, "盘锦某某化工有限公司", "enterprise")
    head = api.runtime.ledger.head_position()
    body = {"id_number": CLERK, "name": "李四", "organisation": BUREAU, "post": "科长"}
    wrong_check = CLERK[:17] + ("0" if CLERK[17] != "0" else "1")
    cases = [
        (body | {"id_number": wrong_check}, 422, "id_number"),
        (body | {"organisation": ACME}, 422, "organisation"),  # a company has no civil servants
        (body | {"organisation": "91211103MA0T4Q9X"}, 422, "organisation"),
        (body | {"post": ""}, 422, "post"),
    ]
    for sent, status, field in cases:
        r = api.post("/v1/civil-servants", sent, "tok-personnel")
        assert r.status_code == status, r.text
        assert field in {e["field"] for e in r.json()["errors"]}, r.text
        assert CLERK[3:17] not in r.text
    # A provider may not open files; an unknown file is 404 without echoing what was typed.
    assert api.post("/v1/civil-servants", body, "tok-market").status_code == 403
    r = api.post(f"/v1/civil-servants/{CLERK}/records", SANCTION, "tok-personnel")
    assert r.status_code == 404 and CLERK[3:17] not in r.text
    assert api.runtime.ledger.head_position() == head
    # Registered once, a second registration under another name is a conflict.
    open_file(api, CLERK, "李四")
    r = api.post("/v1/civil-servants", body | {"name": "李肆"}, "tok-personnel")
    assert r.status_code == 409, r.text
    assert "李四" not in r.text
