"""What /openapi.json promises beyond FastAPI's defaults, derived in one place from the routes.

Every operation declares the problem+json errors it can answer (api/errors.py sends them), all
with one `Problem` schema, from what FastAPI documented of its dependencies: a bearer token
can be missing (401) or not allowed (403); parameters or a body can break a rule (422); a body
can be too large (413); a record named in the path can be missing (404); a write can conflict
with what is recorded (409); a read of the views (which all take `min_position`) can find them
not ready (503). Codes a route declares itself in `responses=` get the same schema. Path
parameters carry the formats of the identifiers they name (docs/adr/016-the-contract.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM
from api.limits import MAX_BODY
from ledger.contracts.fields import SUBJECT_CODE_PATTERN, UUID_PATTERN
from projections.views import load_views

HEX_ID_PATTERN = "^[0-9a-f]{32}$"

# The identifiers path parameters name, by parameter name (and `view`, the views' names). A new
# path parameter must be added here (or be an enum): tests/e2e/test_contract.py fails on one
# without a declared format.
PATH_FORMATS: dict[str, dict[str, Any]] = {
    "code": {"pattern": SUBJECT_CODE_PATTERN,
             "description": "USCC (18 characters), or a person's pseudonym (p-...)"},
    "listing_id": {"pattern": UUID_PATTERN},
    "commitment_id": {"pattern": UUID_PATTERN},
    "id": {"pattern": UUID_PATTERN},
    "job_id": {"pattern": HEX_ID_PATTERN},
    "report_id": {"pattern": HEX_ID_PATTERN},
    "decision_no": {"pattern": "^[^\\x00-\\x1f\\x7f]{1,200}$",
                    "description": "the decision document number, URL-encoded (〔〕, 号, / ...)"},
    "default_id": {"pattern": UUID_PATTERN},
    "servant_id": {"pattern": "^p-[0-9a-f]{32}$",
                   "description": "the civil servant's pseudonym (p-...)"},
}

REPLAY = "The same request was recorded before: the original answer, nothing new stored"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "FieldError", "type": "object", "required": ["field", "rule", "message"],
    "properties": {
        "field": {"type": "string", "description": "the request field, dotted (body fields "
                                                   "by name, e.g. `reasons.0`), or `body`"},
        "rule": {"type": "string", "description": "the rule it broke, e.g. `check_character`"},
        "message": {"type": "string"},
        "expected": {"type": "string", "description": "what a check character should be"},
    },
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem", "type": "object", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457 problem details; `errors` names each bad field and its rule.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "rule": {"type": "string", "description": "the ledger rule a refused command broke"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
    },
}

_HEADER = {"schema": {"type": "string"}}
ERRORS: dict[int, dict[str, Any]] = {
    401: {"description": "No bearer token, or one the ledger does not know",
          "headers": {"WWW-Authenticate": _HEADER | {"description": "Bearer"}}},
    403: {"description": "The token's role, authority or domain may not do this"},
    404: {"description": "No such record"},
    409: {"description": "Conflicts with what is recorded: the same number with other "
                         "content, a step the record's state does not allow, a concurrent write"},
    413: {"description": f"The request body is over {MAX_BODY} bytes"},
    422: {"description": "A parameter or field breaks a rule; each is named in `errors`"},
    503: {"description": "The views are not ready, or have not reached `min_position` yet",
          "headers": {"Retry-After": _HEADER | {"description": "seconds to wait"}}},
}


def error_codes(method: str, operation: dict[str, Any]) -> set[int]:
    """The problem+json statuses an operation can answer, from what the document says of it."""
    params = operation.get("parameters", [])
    body = "requestBody" in operation
    codes = {int(c) for c in operation.get("responses", {}) if c.isdigit() and int(c) >= 400}
    if operation.get("security"):
        codes |= {401, 403}  # the bearer token: missing or unknown, or not allowed to do this
    if params or body:
        codes.add(422)
    if body:
        codes.add(413)
    if any(p["in"] == "path" and not _is_enum(p["schema"]) for p in params):
        codes.add(404)
    if method.upper() in WRITES:
        codes.add(409)
    if any(p["name"] == "min_position" for p in params):
        codes.add(503)  # every read of the views takes min_position (api/readiness.py)
    return codes


def _is_enum(schema: dict[str, Any]) -> bool:
    return "enum" in schema or "$ref" in schema


def _problem(status: int, declared: dict[str, Any] | None) -> dict[str, Any]:
    entry = dict(ERRORS.get(status, {"description": "Problem"}))
    if declared and status != 422 and declared.get("description"):
        entry["description"] = declared["description"]
    entry["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return entry


def document(method: str, operation: dict[str, Any],
             formats: dict[str, dict[str, Any]] = PATH_FORMATS) -> None:
    """Declare the operation's problems, replays' bodies and path parameters' formats."""
    responses = operation.setdefault("responses", {})
    for status in sorted(error_codes(method, operation)):
        declared = responses.get(str(status))
        if declared and "content" in declared and status != 422:
            continue  # the route answers this status with a body of its own (/readyz)
        responses[str(status)] = _problem(status, declared)
    _same_body_for_replays(responses)
    for param in operation.get("parameters", []):
        if param["in"] == "path" and param["name"] in formats:
            found = dict(formats[param["name"]])
            if "description" in found:
                param.setdefault("description", found.pop("description"))
            param["schema"] |= found


def _same_body_for_replays(responses: dict[str, Any]) -> None:
    """Every recording is idempotent: the same request again answers 200 with the same body."""
    created = responses.get("201")
    if created is None or "content" not in created:
        return
    replay = responses.setdefault("200", {"description": REPLAY})
    replay.setdefault("content", created["content"])


def _drop_unused(doc: dict[str, Any]) -> None:
    schemas = doc.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"], schemas["FieldError"] = PROBLEM_SCHEMA, FIELD_ERROR_SCHEMA


def install(app: FastAPI) -> None:
    """Serve the OpenAPI document with every operation's problem+json errors declared."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            views = {"view": {"enum": ["all", *(view.name for view in load_views())]}}
            doc = get_openapi(title=app.title, version=app.version,
                              description=app.description, routes=app.routes)
            for operations in doc["paths"].values():
                for method, operation in operations.items():
                    document(method, operation, PATH_FORMATS | views)
            _drop_unused(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
