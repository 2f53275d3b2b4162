"""Who may write what: every write operation the OpenAPI document lists, tried by every kind of
caller, each time on a fresh record that the owner department recorded.

A new write endpoint fails `test_every_write_operation_has_a_row` until its row is added here:
none can slip past.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest

from tests import calls
from tests.contract_story import OWNER, World, bearer, serve

CALLERS = ["no token", "bad token", "owner provider", "other provider", "officer",
           "officer of another domain", "auditor", "admin", "personnel"]
TOKEN_OF = {"no token": None, "bad token": "not-a-known-token", "owner provider": "tok-owner",
            "other provider": "tok-other", "officer": "tok-officer",
            "officer of another domain": "tok-officer-production", "auditor": "tok-auditor",
            "admin": "tok-admin", "personnel": "tok-personnel"}
NO = 403

Request = tuple[str, Any]  # the path with its identifiers filled in, and the body


@dataclass(frozen=True)
class Upload:
    """A body sent as a multipart file upload rather than JSON."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Row:
    """Which callers may do it (the rest get 403), and how to make a fresh request for it."""

    allowed: frozenset[str]
    make: Callable[[World], Request]
    answers: frozenset[int] = frozenset({200, 201, 202})
    hidden: frozenset[str] = frozenset()  # callers told 404: the record is not theirs to see


def row(allowed: str, make: Callable[[World], Request],
        answers: frozenset[int] = frozenset({200, 201, 202}), hidden: str = "") -> Row:
    return Row(frozenset(a.strip() for a in allowed.split(",")), make, answers,
               frozenset(h.strip() for h in hidden.split(",") if h.strip()))


PROVIDERS = "owner provider, other provider, admin"
RECORD_OWNER = "owner provider, admin"
OFFICERS = "officer, admin"
DAY = "2026-10-20"


def _on_subject(tail: str, body: Callable[[World], dict[str, Any]]) -> Callable[[World], Request]:
    return lambda w: (f"/v1/subjects/{w.subject()}/{tail}", body(w))


def _decision(w: World) -> str:
    return f"决定〔2026〕{next(w.serial)}号"


def _removal(w: World) -> Request:
    code, listing = w.listing()
    return f"/v1/subjects/{code}/listings/{listing}/removal", {"delisted_on": "2026-11-01",
                                                               "reason": "error"}


def _settle(outcome: str) -> Callable[[World], Request]:
    def make(w: World) -> Request:
        code, commitment = w.commitment()
        return f"/v1/subjects/{code}/commitments/{commitment}/{outcome}", {"on": "2026-11-02"}
    return make


def _step(step: str, body: dict[str, Any], **state: bool) -> Callable[[World], Request]:
    return lambda w: (f"/v1/repairs/{w.repair_case(**state)[1]}/{step}", body)


def _link_commitment(w: World) -> Request:
    code, case = w.repair_case()
    return f"/v1/repairs/{case}/commitment", {"commitment_id": w.commitment(code, "repair")[1]}


def _file_repair(w: World) -> Request:
    code = w.subject()
    fine = w.city.penalty(code, date(2026, 4, 1), domain="tax")
    return "/v1/repairs", {"subject": code, "target": fine, "applied_on": "2026-09-01",
                           "obligations_performed": True}


def _on_record(kind: str, action: str, body: dict[str, Any]) -> Callable[[World], Request]:
    """A fresh permit or penalty of the owner department, and its revocation or correction."""
    def make(w: World) -> Request:
        code = w.subject()
        if kind == "penalties":
            number = w.city.penalty(code, date(2026, 4, 1), domain="tax")
        else:
            number = _decision(w)
            calls.decide(w.city.ledger, code, lambda s: s.grant_permit(
                authority=OWNER, actor="market-clerk", decision_no=number, category="普通",
                decided_on=date(2026, 4, 1), published_on=date(2026, 4, 2), details={},
                today=date(2026, 10, 20), calendar=w.city.ledger.calendar))
        return f"/v1/subjects/{code}/{kind}/{quote(number, safe='')}/{action}", body
    return make


def _open_joint(w: World) -> Request:
    code, listing = w.listing()
    return "/v1/joint-cases", {"subject": code, "listing_id": listing,
                               "initiated_on": "2026-10-21"}


EXPECTED: dict[str, Row] = {
    "POST /v1/subjects": row(PROVIDERS, lambda w: ("/v1/subjects", {
        "code": w.fresh_code(), "name": "新设公司", "kind": "enterprise"})),
    "POST /v1/subjects/{code}/principals": row(PROVIDERS, _on_subject("principals", lambda w: {
        "principal": w.fresh_code(), "role": "legal_representative", "since": "2020-01-02"})),
    "POST /v1/subjects/{code}/permits": row(PROVIDERS, _on_subject("permits", lambda w: {
        "decision_no": _decision(w), "category": "普通", "decided_on": "2026-10-10",
        "published_on": "2026-10-12"})),
    "POST /v1/subjects/{code}/penalties": row(PROVIDERS, _on_subject("penalties", lambda w: {
        "decision_no": _decision(w), "severity": "general", "domain": "tax",
        "decided_on": "2026-10-10", "published_on": "2026-10-12", "category": "罚款",
        "basis": "《税收征收管理法》第六十条"})),
    "POST /v1/subjects/{code}/listings": row(PROVIDERS, _on_subject("listings", lambda w: {
        "list": "red", "domain": "tax", "basis": "纳税信用A级", "notified_on": "2026-10-01",
        "listed_on": DAY, "expires_on": "2027-10-20"})),
    "POST /v1/subjects/{code}/listings/{listing_id}/removal": row(RECORD_OWNER, _removal),
    "POST /v1/subjects/{code}/commitments": row(PROVIDERS, _on_subject("commitments", lambda w: {
        "type": "voluntary", "made_on": "2026-09-01", "content": "守法经营"})),
    "POST /v1/subjects/{code}/commitments/{commitment_id}/fulfilment": row(
        RECORD_OWNER, _settle("fulfilment")),
    "POST /v1/subjects/{code}/commitments/{commitment_id}/breach": row(
        RECORD_OWNER, _settle("breach")),
    # Corrections: a record by the authority that recorded it, a subject by its registrar.
    "POST /v1/subjects/{code}/penalties/{decision_no}/revocation": row(RECORD_OWNER, _on_record(
        "penalties", "revocation", {"revoked_on": DAY, "reason": "撤销"})),
    "POST /v1/subjects/{code}/penalties/{decision_no}/correction": row(RECORD_OWNER, _on_record(
        "penalties", "correction", {"corrected_on": DAY, "reason": "更正",
                                    "severity": "minor"})),
    "POST /v1/subjects/{code}/permits/{decision_no}/revocation": row(RECORD_OWNER, _on_record(
        "permits", "revocation", {"revoked_on": DAY, "reason": "撤销"})),
    "POST /v1/subjects/{code}/permits/{decision_no}/correction": row(RECORD_OWNER, _on_record(
        "permits", "correction", {"corrected_on": DAY, "reason": "更正", "category": "特殊"})),
    "POST /v1/subjects/{code}/name": row(RECORD_OWNER, _on_subject("name", lambda w: {
        "name": f"更名公司{next(w.serial)}", "changed_on": DAY})),
    "POST /v1/subjects/{code}/deregistration": row(RECORD_OWNER, _on_subject(
        "deregistration", lambda w: {"deregistered_on": DAY, "reason": "注销"})),
    "POST /v1/admin/projections/{view}/rebuild": row(
        "admin", lambda w: ("/v1/admin/projections/timeliness/rebuild", None),
        answers=frozenset({202, 409})),  # 409: a rebuild is still running
    "POST /v1/repairs": row(OFFICERS, _file_repair),
    "POST /v1/repairs/{id}/accept": row(OFFICERS, _step("accept", {"accepted_on": "2026-09-01"})),
    "POST /v1/repairs/{id}/refuse": row(OFFICERS, _step("refuse", {
        "refused_on": "2026-09-01", "rule": "obligations_performed", "reason": "fine unpaid"})),
    "POST /v1/repairs/{id}/training": row(OFFICERS, _step("training", {
        "completed_on": "2026-09-02", "provider": "市信用中心"}, accepted=True)),
    "POST /v1/repairs/{id}/commitment": row(OFFICERS, _link_commitment),
    "POST /v1/repairs/{id}/report": row(OFFICERS, _step("report", {
        "issued_on": "2026-09-03", "agency": "信用评级公司", "report_no": "R-1"}, accepted=True)),
    "POST /v1/repairs/{id}/approve": row(OFFICERS, _step("approve", {"decided_on": "2026-09-10"},
                                                         accepted=True)),
    "POST /v1/repairs/{id}/reject": row(OFFICERS, _step("reject", {
        "decided_on": "2026-09-10", "reasons": ["report missing"]}, accepted=True)),
    "POST /v1/repairs/{id}/withdraw": row(OFFICERS, _step("withdraw", {
        "withdrawn_on": "2026-09-02"})),
    "POST /v1/repairs/{id}/inform": row(OFFICERS, _step("inform", {"informed_on": "2026-09-11"},
                                                        approved=True)),
    # A joint case belongs to the listing's authority: it opens and closes the case; any
    # department in scope answers with its own measure.
    "POST /v1/joint-cases": row(RECORD_OWNER, _open_joint),
    "POST /v1/joint-cases/{id}/responses": row(
        "owner provider, other provider, officer, admin", lambda w: (
            f"/v1/joint-cases/{w.joint_case()}/responses",
            {"measure": "no government procurement", "applied_on": "2026-10-22"})),
    "POST /v1/joint-cases/{id}/closure": row(
        RECORD_OWNER, lambda w: (
            f"/v1/joint-cases/{w.joint_case(answered=True)}/closure",
            {"feedback": "measures applied", "closed_on": "2026-10-23"})),
    # An approval system (any provider) checks credit before it decides (docs/checks.md).
    "POST /v1/checks": row(PROVIDERS, lambda w: ("/v1/checks", {
        "subject": w.subject(), "scenario": "government_procurement"})),
    "POST /v1/audit/verify": row("auditor, admin", lambda w: ("/v1/audit/verify", None),
                                 answers=frozenset({202, 409})),  # 409: one is still running
    # An upload records under the token's authority, as any provider write.
    "POST /v1/imports": row(PROVIDERS, lambda w: ("/v1/imports", Upload(
        "permits.ndjson", b'{"record": "permit"}\n'))),
    # A finished upload job is removed by its department or an admin; another department is
    # told it does not exist, as when it reads it (docs/import.md).
    "DELETE /v1/imports/{id}": row(RECORD_OWNER, lambda w: (
        f"/v1/imports/{w.finished_import()}", None), answers=frozenset({204}),
        hidden="other provider"),
    # A government's own defaults: any provider records one, only its recorder rectifies it.
    "POST /v1/subjects/{code}/government-defaults": row(PROVIDERS, lambda w: (
        f"/v1/subjects/{w.government_body()}/government-defaults", {
            "kind": "arrears", "creditor": "某公司", "recorded_on": "2026-10-10",
            "deadline": "2026-12-31", "basis": "拖欠工程款"})),
    "POST /v1/subjects/{code}/government-defaults/{default_id}/rectification": row(
        RECORD_OWNER, lambda w: (
            "/v1/subjects/{}/government-defaults/{}/rectification".format(*w.government_default()),
            {"rectified_on": "2026-10-20", "evidence": "付款凭证"})),
    "POST /v1/subjects/{code}/credit-reports": row(PROVIDERS, _on_subject(
        "credit-reports", lambda w: {"agency": "信用评级公司", "report_no": f"R-{next(w.serial)}",
                                     "issued_on": "2026-10-10", "conclusion": "良好"})),
    # Civil servants' files are the organisation department's.
    "POST /v1/civil-servants": row("personnel, admin", lambda w: ("/v1/civil-servants", {
        "id_number": w.resident_id(), "name": "某某", "organisation": w.government_body(),
        "post": "科员"})),
    "POST /v1/civil-servants/{servant_id}/records": row("personnel, admin", lambda w: (
        f"/v1/civil-servants/{w.civil_servant()}/records", {
            "kind": "commendation", "on": "2026-10-10", "basis": "年度考核优秀",
            "authority": "某局"})),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from serve(tmp_path_factory.mktemp("authorization"))


def write_operations(world: World) -> set[str]:
    paths = world.client.get("/openapi.json").json()["paths"]
    return {f"{method.upper()} {path}" for path, operations in paths.items()
            for method in operations if method.upper() in ("POST", "PUT", "PATCH", "DELETE")}


def test_every_write_operation_has_a_row(world: World) -> None:
    listed = write_operations(world)
    assert sorted(listed - EXPECTED.keys()) == [], "write operations without a row in EXPECTED"
    assert sorted(EXPECTED.keys() - listed) == [], "rows for operations that no longer exist"


def cells() -> Iterator[Any]:
    for operation in EXPECTED:
        for caller in CALLERS:
            yield pytest.param(operation, caller, id=f"{operation} | {caller}")


@pytest.mark.parametrize(("operation", "caller"), list(cells()))
def test_each_caller_gets_what_the_rules_say(world: World, operation: str, caller: str) -> None:
    expected = EXPECTED[operation]
    path, body = expected.make(world)
    method = operation.split(" ")[0]
    sent = ({"files": {"file": (body.name, body.content)}} if isinstance(body, Upload)
            else {"json": body})
    response = world.client.request(method, path, headers=bearer(TOKEN_OF[caller]), **sent)
    if caller in ("no token", "bad token"):
        assert response.status_code == 401, response.text
    elif caller in expected.hidden:
        assert response.status_code == 404, response.text
    elif caller in expected.allowed:
        assert response.status_code in expected.answers, response.text
    else:
        assert response.status_code == NO, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("decision", [
    pytest.param(("approve", {"decided_on": "2026-09-10"}), id="approve"),
    pytest.param(("reject", {"decided_on": "2026-09-10", "reasons": ["no report"]}), id="reject"),
])
def test_the_officer_who_accepted_a_case_cannot_decide_it(world: World,
                                                          decision: tuple[str, Any]) -> None:
    _, case = world.repair_case()
    officer = bearer(TOKEN_OF["officer"])
    accepted = world.client.post(f"/v1/repairs/{case}/accept", json={"accepted_on": "2026-09-01"},
                                 headers=officer)
    assert accepted.status_code == 201, accepted.text
    step, body = decision
    refused = world.client.post(f"/v1/repairs/{case}/{step}", json=body, headers=officer)
    assert refused.status_code == 403, refused.text
    assert refused.json()["rule"] == "four_eyes"


def owned_records() -> list[str]:
    return [operation for operation, expected in EXPECTED.items()
            if expected.allowed == frozenset({"owner provider", "admin"}) and not expected.hidden]


@pytest.mark.parametrize("operation", owned_records())
def test_a_refusal_names_the_owner_of_the_record(world: World, operation: str) -> None:
    path, body = EXPECTED[operation].make(world)
    refused = world.client.post(path, json=body, headers=bearer(TOKEN_OF["other provider"]))
    assert refused.status_code == 403
    assert OWNER in refused.json()["detail"] and refused.json()["owner"] == OWNER
