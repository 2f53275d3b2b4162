"""The contract says the truth: schemathesis calls every operation of /openapi.json, as each
role and without a token, against the real app (embedded SQLite, a demo city loaded), and every
answer must be documented: no server error, a declared status and content type, a body that
matches the declared schema, the declared headers. Paths name real records half the time.

Bounded and reproducible: a few examples per operation (plus schemathesis's coverage cases),
derandomized. Run time is reported at the end of the module.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api.app import create_app
from ledger.application import By
from tests import calls as joint
from tests.contract_story import OWNER, World, bearer, serve

OWNER_TOKEN = "tok-owner"
ROLES = {"no token": None, "provider": OWNER_TOKEN, "officer": "tok-officer",
         "auditor": "tok-auditor", "admin": "tok-admin"}
MAX_EXAMPLES = 6  # valid requests per operation and role; half as many invalid ones
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance")
CALLS: Counter[tuple[str, str]] = Counter()
ANSWERED: Counter[int] = Counter()  # calls by status class (2, 4, 5)


def config(token: str | None) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "headers": bearer(token),
        "checks": {"enabled": False} | {name: {"enabled": True} for name in CHECKS},
    })


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    started = time.monotonic()
    yield from serve(tmp_path_factory.mktemp("contract"), demo=True)
    roles = {role for role, _ in CALLS}
    print(f"\nschemathesis: {len({op for _, op in CALLS})} operations x {len(roles)} roles, "
          f"{sum(CALLS.values())} calls ({ANSWERED[2]} 2xx, {ANSWERED[4]} 4xx, {ANSWERED[5]} 5xx)"
          f" in {time.monotonic() - started:.0f} s")


def real_records(world: World) -> dict[str, list[dict[str, str]]]:
    """Identifiers that name real records, by the path parameters they fill."""
    code, listing = world.listing()
    _, commitment = world.commitment(code)
    _, case = world.repair_case(accepted=True)
    _, opened = joint.initiate(world.city.ledger, subject=code, listing_id=listing,
                               on=world.city.clock.today, by=By(OWNER, "market-clerk"))
    upload = world.client.post("/v1/imports", files={"file": ("permits.ndjson", b"{}\n")},
                               headers=bearer(OWNER_TOKEN)).json()["id"]
    world.caught_up()  # the demo city and these records, before searching the views
    demo = [hit["code"] for hit in world.client.get("/v1/subjects", params={
        "q": "公司", "page_size": 5}).json()["items"]]
    return {
        "/v1/subjects/{code}/listings/{listing_id}": [{"code": code, "listing_id": listing}],
        "/v1/subjects/{code}/commitments/{commitment_id}": [
            {"code": code, "commitment_id": commitment}],
        "/v1/subjects/{code}": [{"code": c} for c in [code, *demo]],
        "/v1/repairs/{id}": [{"id": case}],
        "/v1/joint-cases/{id}": [{"id": str(opened.case_id)}],
        "/v1/imports/{id}": [{"id": upload}],
    }


@pytest.fixture(scope="module")
def records(world: World) -> dict[str, list[dict[str, str]]]:
    return real_records(world)


def contract_schema(world: World, records: dict[str, list[dict[str, str]]], token: str | None
                    ) -> Any:
    """The served document, with path parameters that name real records half the time."""
    # A second app over the same runtime, which it does not start or stop.
    app = create_app(world.app.state.runtime, manage_runtime=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config(token))

    @schema.hook
    def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
        path = context.operation.path
        found = next((v for k, v in sorted(records.items(), reverse=True)
                      if path.startswith(k)), None)
        if not found:
            return strategy
        return strategy.flatmap(lambda generated: st.one_of(
            st.just(generated), st.sampled_from(found).map(lambda real: naming(generated, real))))

    return schema


def naming(generated: Any, real: dict[str, str]) -> Any:
    """Generated path parameters (a dict, or schemathesis's wrapper of one) with real values."""
    if isinstance(generated, dict):
        return generated | real
    return generated.map_value(lambda value: {**value, **real})


def failures_of(operation: Any, role: str, mode: GenerationMode, examples: int) -> list[str]:
    """Call the operation with generated requests; every failed check, described once."""
    found: dict[str, str] = {}

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        CALLS[(role, operation.label)] += 1
        try:
            response = case.call()
            ANSWERED[response.status_code // 100] += 1
            case.validate_response(response)
        except (Exception, BaseExceptionGroup) as failed:  # every check's failure is reported
            for one in getattr(failed, "exceptions", [failed]):
                title = str(one).splitlines()[0] if str(one) else type(one).__name__
                found.setdefault(f"{operation.label} as {role}: {title}", str(failed)[:1500])

    try:
        call()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing to get wrong: no parameters, no body
    return [f"{key}\n{detail}" for key, detail in found.items()]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_keeps_its_contract(world: World, records: dict[str, list[dict[str, str]]],
                                            role: str) -> None:
    schema = contract_schema(world, records, ROLES[role])
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        failures += failures_of(operation, role, GenerationMode.POSITIVE, MAX_EXAMPLES)
        failures += failures_of(operation, role, GenerationMode.NEGATIVE, MAX_EXAMPLES // 2)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


def test_every_path_parameter_declares_its_format(world: World) -> None:
    doc = world.client.get("/openapi.json").json()
    loose = [f"{path} {p['name']}" for path, operations in doc["paths"].items()
             for operation in operations.values() for p in operation.get("parameters", [])
             if p["in"] == "path" and not {"pattern", "enum", "$ref"} & p["schema"].keys()]
    assert loose == []


def test_every_error_is_one_problem_schema(world: World) -> None:
    doc = world.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(doc)
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and path != "/readyz":
                    assert response["content"] == {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}}}, (method, path)
    writes = doc["paths"]["/v1/subjects/{code}/commitments/{commitment_id}/breach"]["post"]
    assert set(writes["responses"]) == {"200", "201", "401", "403", "404", "409", "413", "422"}
    reads = doc["paths"]["/v1/indicators"]["get"]
    assert set(reads["responses"]) == {"200", "404", "422", "503"}  # 404: an unknown region
    problem = doc["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail"]

