"""Departments correct what they published, over HTTP, as new events: a penalty's severity
corrected (its window and the score follow), a permit and a penalty revoked, a subject renamed
(found by its former name) and deregistered. Only the authority that recorded a record (or
its registrar, for the subject) may; an admin may act for any. History keeps every version.
SQLite and PostgreSQL alike, the views projected as in `serve`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from ledger.domain.uscc import make_uscc
from ledger.settings import Settings
from tests.e2e._provider_helpers import Api

TODAY = date(2026, 6, 1)
TAX = make_uscc("1", "1", "211100", "00001312")
MARKET = make_uscc("1", "1", "211100", "00002345")
ACME = make_uscc("9", "1", "211100", "MA0T4Q1X")
TOKENS = {
    "tok-tax": {"role": "provider", "authority": TAX, "actor": "tax-clerk"},
    "tok-market": {"role": "provider", "authority": MARKET, "actor": "market-clerk"},
    "tok-admin": {"role": "admin", "authority": MARKET, "actor": "city-admin"},
    "tok-auditor": {"role": "auditor"},
}
FINE = "盘税罚〔2026〕7号"
PENALTY = {"decision_no": FINE, "severity": "serious", "domain": "tax",
           "decided_on": "2026-04-07", "published_on": "2026-04-08", "category": "罚款",
           "basis": "《税收征收管理法》第六十三条", "fine_amount": "50000.00"}
LICENCE = "盘市监许〔2026〕3号"
PERMIT = {"decision_no": LICENCE, "category": "普通", "decided_on": "2026-03-02",
          "published_on": "2026-03-03"}
BASE = f"/v1/subjects/{ACME}"


def at(kind: str, number: str, action: str) -> str:
    """The path of a record's revocation or correction: its decision number URL-encoded."""
    return f"{BASE}/{kind}/{quote(number, safe='')}/{action}"


@pytest.fixture
def acme(database_url: str, unique_name: str, tmp_path: Path) -> Iterator[Api]:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    settings = Settings(database_url=database_url, app_name=unique_name, tokens_file=tokens,
                        env="test")
    runtime = bootstrap(settings, background=True, relay=False, clock=lambda: TODAY)
    with TestClient(create_app(runtime)) as client:  # starts the projection runner
        api = Api(client, runtime.ledger)
        # The market regulator registers the enterprise; the tax bureau fines it.
        api.ok("/v1/subjects", {"code": ACME, "name": "盘锦某某化工有限公司",
                                "kind": "enterprise"}, token="tok-market")
        api.ok(f"{BASE}/penalties", PENALTY)
        yield api


def read(api: Api, path: str, **params: Any) -> dict[str, Any]:
    """A public read that has seen every write so far."""
    response = api.client.get(path, params={"min_position": api.ledger.head_position(),
                                            **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def the_fine(api: Api) -> dict[str, Any]:
    return next(p for p in read(api, BASE)["penalties"] if p["decision_no"] == FINE)


def fine_points(api: Api) -> int:
    lines = read(api, f"{BASE}/score")["explanation"]
    return sum(line["points"] for line in lines if line["record"].endswith(FINE))


def test_a_corrected_severity_moves_the_publicity_window_and_the_score(acme: Api) -> None:
    # Recorded as serious: shown until 2029 (three years), heavily deducted.
    assert the_fine(acme)["publicity_max_until"] == "2029-04-07"
    serious = fine_points(acme)
    # The tax bureau finds it was a general penalty and corrects it.
    correction = {"corrected_on": "2026-05-11", "reason": "严重程度录入错误",
                  "severity": "general"}
    done = acme.ok(at("penalties", FINE, "correction"), correction)
    assert (done["type"], done["decision_no"]) == ("PenaltyCorrected", FINE)
    assert (done["publicity_max_until"], done["rule_set"]) == ("2027-04-07", "NDRC-2025-36")
    shown = the_fine(acme)
    assert (shown["severity"], shown["publicity_max_until"]) == ("general", "2027-04-07")
    assert shown["details"]["corrected_on"] == "2026-05-11"
    assert shown["details"]["fine_amount"] == "50000.00"  # what was not corrected stays
    assert serious < fine_points(acme) < 0
    # The same correction again is the same event: 200, same position, nothing new.
    head = acme.ledger.head_position()
    again = acme.ok(at("penalties", FINE, "correction"), correction, status=200)
    assert again["position"] == done["position"] and acme.ledger.head_position() == head
    # Another correction that changes nothing is refused, naming the rule.
    problem = acme.refused(422, at("penalties", FINE, "correction"),
                           correction | {"reason": "复核", "corrected_on": "2026-05-20"})
    assert problem["rule"] == "no_change"
    # The original submitted again with other content is pointed to the correction endpoint.
    problem = acme.refused(409, f"{BASE}/penalties", PENALTY | {"severity": "minor"})
    assert "/correction" in problem["detail"]
    # History keeps both versions.
    events = acme.client.get(f"/v1/audit/subjects/{ACME}/events",
                             headers={"Authorization": "Bearer tok-auditor"}).json()["events"]
    kinds = [(e["type"], e["data"]["severity"]) for e in events if "severity" in e["data"]]
    assert kinds == [("PenaltyImposed", "serious"), ("PenaltyCorrected", "general")]
    assert events[-1]["data"]["previous"]["severity"] == "serious"


def test_as_of_before_and_after_the_correction_shows_the_version_known_then(acme: Api) -> None:
    acme.ok(at("penalties", FINE, "correction"), {"corrected_on": "2026-05-11",
                                                   "reason": "录入错误", "severity": "general"})
    imposed, corrected = (e for e in acme.stored() if e["type"].startswith("Penalty"))

    def severity_known_at(recorded_at: str) -> str:
        state = acme.client.get(f"/v1/audit/subjects/{ACME}/state",
                                params={"as_of": recorded_at, "effective": TODAY.isoformat()},
                                headers={"Authorization": "Bearer tok-auditor"})
        assert state.status_code == 200, state.text
        [fine] = state.json()["profile"]["penalties"]
        return str(fine["severity"])

    assert severity_known_at(imposed["recorded_at"]) == "serious"
    assert severity_known_at(corrected["recorded_at"]) == "general"


def test_only_the_recording_authority_or_an_admin_corrects_or_revokes(acme: Api) -> None:
    for action, body in (("correction", {"corrected_on": "2026-05-11", "reason": "x",
                                         "severity": "general"}),
                         ("revocation", {"revoked_on": "2026-05-11", "reason": "x"})):
        problem = acme.refused(403, at("penalties", FINE, action), body, token="tok-market")
        assert (problem["rule"], problem["owner"]) == ("owner_only", TAX)
    # An admin (of the market regulator) revokes the tax bureau's penalty: the event says whose.
    done = acme.ok(at("penalties", FINE, "revocation"),
                   {"revoked_on": "2026-05-12", "reason": "行政复议撤销"}, token="tok-admin")
    revoked = acme.stored()[-1]
    assert (done["type"], revoked["authority"]) == ("PenaltyRevoked", MARKET)
    assert revoked["data"]["penalty_authority"] == TAX
    # It leaves the profile and the score.
    assert read(acme, BASE)["penalties"] == [] and fine_points(acme) == 0
    # Revoked once: the same revocation is answered again, another one is a conflict.
    acme.ok(at("penalties", FINE, "revocation"),
            {"revoked_on": "2026-05-12", "reason": "行政复议撤销"}, status=200, token="tok-admin")
    acme.refused(409, at("penalties", FINE, "revocation"),
                 {"revoked_on": "2026-05-13", "reason": "again"})
    # A void record is not corrected.
    problem = acme.refused(409, at("penalties", FINE, "correction"),
                           {"corrected_on": "2026-05-20", "reason": "x", "severity": "minor"})
    assert problem["rule"] == "wrong_state"


def test_a_revoked_permit_shows_revoked_and_its_points_end(acme: Api) -> None:
    acme.ok(f"{BASE}/permits", PERMIT, token="tok-market")
    permit_points = sum(line["points"] for line in read(acme, f"{BASE}/score")["explanation"]
                        if line["record"].endswith(LICENCE))
    assert permit_points > 0
    # Its category was wrong: corrected, then the permit is revoked.
    acme.ok(at("permits", LICENCE, "correction"), {"corrected_on": "2026-03-20",
                                                    "reason": "类别错误", "category": "特殊"},
            token="tok-market")
    acme.ok(at("permits", LICENCE, "revocation"), {"revoked_on": "2026-04-01",
                                                    "reason": "以欺骗手段取得"},
            token="tok-market")
    [permit] = read(acme, BASE)["permits"]
    assert (permit["status"], permit["revoked_on"], permit["category"]) == (
        "revoked", "2026-04-01", "特殊")
    assert not any(line["record"].endswith(LICENCE)
                   for line in read(acme, f"{BASE}/score")["explanation"])


def test_what_a_correction_may_not_change_is_refused_by_name(acme: Api) -> None:
    path = at("penalties", FINE, "correction")
    for field, value in (("published_on", "2026-04-09"), ("decision_no", "other")):
        problem = acme.refused(422, path, {"corrected_on": "2026-05-11", "reason": "x",
                                           field: value})
        assert field in json.dumps(problem, ensure_ascii=False)
    problem = acme.refused(422, path, {"corrected_on": "2026-05-11", "reason": "x",
                                       "decided_on": "2026-04-09"})  # after its publication
    assert problem["rule"] == "date_order"
    acme.refused(404, at("penalties", "盘税罚〔2026〕99号", "correction"),
                 {"corrected_on": "2026-05-11", "reason": "x", "severity": "minor"})


def test_a_decision_number_with_a_slash_is_addressed_encoded(acme: Api) -> None:
    number = "盘税罚〔2026〕8/1号"
    acme.ok(f"{BASE}/penalties", PENALTY | {"decision_no": number})
    done = acme.ok(at("penalties", number, "correction"),
                   {"corrected_on": "2026-05-11", "reason": "x", "domain": "价格"})  # a label
    assert done["decision_no"] == number
    assert {p["decision_no"]: p["domain"] for p in read(acme, BASE)["penalties"]}[number] == \
        "price"


def test_a_renamed_subject_is_found_by_its_former_name_then_deregistered(acme: Api) -> None:
    rename = {"name": "盘锦新华化工有限公司", "changed_on": "2026-05-06"}
    # Registering it again under the new name is no rename: the answer says where to go.
    problem = acme.refused(409, "/v1/subjects", {"code": ACME, "name": rename["name"],
                                                 "kind": "enterprise"}, token="tok-market")
    assert "/name" in problem["detail"]
    # Only its registrar (or an admin) renames it.
    assert acme.refused(403, f"{BASE}/name", rename)["owner"] == MARKET
    acme.ok(f"{BASE}/name", rename, token="tok-market")
    acme.ok(f"{BASE}/name", rename, status=200, token="tok-market")  # the same again
    profile = read(acme, BASE)
    assert profile["name"] == "盘锦新华化工有限公司"
    assert profile["former_names"] == [{"name": "盘锦某某化工有限公司", "until": "2026-05-06"}]
    # The first registration, sent again, is still the same one.
    acme.ok("/v1/subjects", {"code": ACME, "name": "盘锦某某化工有限公司",
                             "kind": "enterprise"}, status=200, token="tok-market")
    for q in ("某某化工", "新华化工"):
        found = read(acme, "/v1/subjects", q=q)
        assert [(s["code"], s["name"]) for s in found["items"]] == [
            (ACME, "盘锦新华化工有限公司")], q
    # Deregistered by an admin: the profile says so, and it is renamed no more.
    acme.ok(f"{BASE}/deregistration", {"deregistered_on": "2026-05-25", "reason": "决议解散"},
            token="tok-admin")
    profile = read(acme, BASE)
    assert profile["deregistered"] == {"on": "2026-05-25", "reason": "决议解散"}
    # The plain read (one statement on PostgreSQL) answers the same profile.
    assert acme.client.get(BASE).json() == profile | {"as_of": TODAY.isoformat()}
    problem = acme.refused(409, f"{BASE}/name", {"name": "又一个名字",
                                                 "changed_on": "2026-05-30"},
                           token="tok-market")
    assert problem["rule"] == "wrong_state"
    acme.refused(409, f"{BASE}/deregistration", {"deregistered_on": "2026-05-26",
                                                  "reason": "x"}, token="tok-market")


def test_a_deregistered_subject_takes_no_record_dated_after_it(acme: Api) -> None:
    acme.ok(f"{BASE}/deregistration", {"deregistered_on": "2026-05-25", "reason": "决议解散"},
            token="tok-market")
    # A fine decided after the company was wound up has nobody to fall on: refused by name.
    late = PENALTY | {"decision_no": "盘税罚〔2026〕9号", "decided_on": "2026-05-28",
                      "published_on": "2026-05-29"}
    problem = acme.refused(409, f"{BASE}/penalties", late)
    assert (problem["rule"], problem["errors"][0]["field"]) == ("deregistered", "decided_on")
    assert "2026-05-25" in problem["detail"]
    for path, body, field in (
            (f"{BASE}/permits", PERMIT | {"decision_no": "盘市监许〔2026〕8号",
                                          "decided_on": "2026-05-26",
                                          "published_on": "2026-05-27"}, "decided_on"),
            (f"{BASE}/commitments", {"type": "industry", "made_on": "2026-05-30",
                                     "content": "依法经营"}, "made_on")):
        refused = acme.refused(409, path, body, token="tok-market")
        assert (refused["rule"], refused["errors"][0]["field"]) == ("deregistered", field)
    # A decision taken before, published after, is history like any other; and what was
    # recorded before answers its resubmission as ever.
    earlier = PENALTY | {"decision_no": "盘税罚〔2026〕8号", "decided_on": "2026-05-20",
                         "published_on": "2026-05-27"}
    acme.ok(f"{BASE}/penalties", earlier)
    assert acme.post(f"{BASE}/penalties", PENALTY).status_code in (200, 201)
    assert {p["decision_no"] for p in read(acme, BASE)["penalties"]} == {
        FINE, "盘税罚〔2026〕8号"}
