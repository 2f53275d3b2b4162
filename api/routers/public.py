"""Public reads (no token): subject profiles, search by name, and list membership."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from api.deps import RuntimeDep, get_runtime
from api.geography import geography_of, placed
from api.labelled import (
    LISTING,
    SUBJECT,
    authority_names,
    label_profile,
    labelled,
    profile_authorities,
)
from api.read_schemas import ProfilePublic
from api.readiness import CaughtUp, ViewsDep
from ledger.contracts.fields import IsoDate
from ledger.domain.errors import NotFound
from ledger.domain.vocabulary import Domain, ListName
from ledger.identity import path_code
from ledger.privacy import redact
from ledger.runtime import Runtime
from projections import profile_sql, queries
from projections.storage import POSTGRES, ViewStore, view_store
from projections.tx import Tx

router = APIRouter(prefix="/v1", tags=["public"])

MAX_PAGE_SIZE = 100
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most 100 per page.")]


class Page(BaseModel):
    """One page of results, with the total across pages."""

    items: list[dict[str, Any]]
    page: int
    page_size: int
    total: int


class ListPage(Page):
    list: ListName
    domain: Domain | None
    as_of: date


def reading(store: ViewStore) -> AbstractContextManager[Tx]:
    """A reader for the profile: on PostgreSQL outside any transaction (its one statement is
    one snapshot by itself), on SQLite the view store's read transaction."""
    return store.statement_reader() if store.dialect == POSTGRES else store.reader()


def profile_in(runtime: Runtime, tx: Tx, code: str, today: str) -> dict[str, Any] | None:
    """The labelled public profile (api.labelled): one statement whose text is the profile
    (projections.profile_sql), then at most one more for authority names the catalogue lacks."""
    found = profile_sql.profile(tx, code, today)
    if found is None:
        return None
    return label_profile(found, authority_names(runtime, tx, profile_authorities(found))) | \
        placed(geography_of(runtime), code, found.get("kind"), found.get("authority"))


def profile_of(runtime: Runtime, code: str, today: str) -> dict[str, Any] | None:
    with reading(view_store(runtime)) as tx:
        return profile_in(runtime, tx, code, today)


def profile_body(runtime: Runtime, code: str) -> bytes | None:
    """The profile's JSON as of the ledger's today, or None for an unknown code."""
    found = profile_of(runtime, code, runtime.ledger.clock().isoformat())
    return None if found is None else orjson.dumps(found)


# The hottest read: one hop into the thread pool for the whole request (no sync dependencies,
# each of which would be a hop of its own; CaughtUp runs on the event loop), no transaction,
# and the body is the JSON text PostgreSQL built, not validated again here. An async endpoint
# on an async pool cost less CPU per lookup, but under open-loop load the event loop's backlog
# stretched the time each connection was held, the pool ran dry and the rate collapsed;
# threads hand results back as soon as PostgreSQL answers.
@router.get("/subjects/{code}", response_model=ProfilePublic,
            responses={404: {"description": "No subject with this code"}})
def subject_profile(code: str, request: Request, _: CaughtUp) -> Response:
    """A subject's public profile: identity, lists, visible permits and penalties, principals."""
    code = path_code(code)
    body = profile_body(get_runtime(request), code)
    if body is None:
        raise NotFound(f"no subject with code {redact(code)!r}", field="code")
    return Response(body, media_type="application/json")


@router.get("/subjects", response_model=Page)
def search_subjects(
    views: ViewsDep,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="Part of the name, or a whole code (USCC, pseudonym).")],
    page: PageNo = 1, page_size: PageSize = 20,
) -> Page:
    """Subjects whose name or a former name contains `q`, case-insensitively, or whose code is
    `q`, by name."""
    with views.reader() as tx:
        items, total = queries.search(tx, q.strip() or q, page, page_size)
    return Page(items=[labelled(item, SUBJECT) for item in items], page=page,
                page_size=page_size, total=total)


@router.get("/lists/{list_name}", response_model=ListPage)
def list_members(
    list_name: ListName, views: ViewsDep, runtime: RuntimeDep,
    domain: Domain | None = None,
    as_of: Annotated[IsoDate | None, Query(description="Membership on this day (default today), "
                                           "from 1949-10-01 to 2099-12-31.")] = None,
    page: PageNo = 1, page_size: PageSize = 20,
) -> ListPage:
    """Members of the red, black or key-attention list, optionally in one domain, on a day."""
    day = as_of or runtime.ledger.clock()
    with views.reader() as tx:
        items, total = queries.list_members(tx, list_name.value,
                                            domain.value if domain else None, day.isoformat(),
                                            page, page_size)
        names = authority_names(runtime, tx, {item["authority"] for item in items})
    items = [labelled(item, LISTING, names) for item in items]
    return ListPage(items=items, page=page, page_size=page_size, total=total, list=list_name,
                    domain=domain, as_of=day)
