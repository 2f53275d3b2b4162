"""Public reads of the views, with read-your-writes: `min_position` waits for the runner.

Routers take `ViewsDep`, the view store, and open their read inside the endpoint
(`with views.reader() as tx:`), so that every read runs start to end on one connection in the
endpoint's own thread. (A sync `yield` dependency ran its setup and its teardown on different
worker threads, and SQLite's reader connections belong to a thread: 500s under concurrency.)

A reader that passes the position a write returned waits, on the event loop and holding no
worker thread, up to two seconds for the views to reach it, and otherwise gets 503 with
Retry-After. A position beyond the ledger's head is refused at once (422); at most
`LEDGER_MAX_WAITING_READERS` readers wait at a time, the next ones get 503 at once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError

from api.deps import get_runtime
from ledger.runtime import Runtime
from projections import catalog
from projections.storage import ViewStore, view_store

WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02
RETRY_AFTER = "1"


def not_ready(detail: str) -> HTTPException:
    return HTTPException(503, detail, headers={"Retry-After": RETRY_AFTER})


def reached(runtime: Runtime, store: ViewStore, position: int, event: Any = None) -> bool:
    """Have the serving views applied the event recorded at `position`?"""
    with store.reader() as tx:
        if not runtime.settings.kafka_enabled:
            # The store feed's offset is the position itself.
            return catalog.offsets(tx, catalog.LIVE).get(0, 0) > position
        if event is None:
            return False
        return catalog.applied(tx, str(event.originator_id), int(event.originator_version))


def event_at(runtime: Runtime, position: int) -> Any:
    """The stored event at `position` (on Kafka the views know streams and versions)."""
    found = runtime.ledger.recorder.select_notifications(start=position, limit=1, stop=position)
    return found[0] if found else None


MinPosition = Annotated[int | None, Query(
    ge=0, description="Wait (up to 2 s) until the views include this write position; one "
                      "beyond the ledger's head is refused (422).")]


async def caught_up(request: Request, min_position: MinPosition = None) -> None:
    """Return once the views include `min_position` (if given); 422 beyond the head, 503 when
    the views stay behind or too many readers wait already."""
    if min_position is None:
        return
    runtime = get_runtime(request)
    head = await to_thread.run_sync(runtime.ledger.head_position)
    if min_position > head:
        raise RequestValidationError([{
            "loc": ("query", "min_position"), "type": "beyond_head",
            "msg": f"position {min_position} is beyond the ledger's head ({head})"}])
    store = view_store(runtime)
    event = await to_thread.run_sync(event_at, runtime, min_position) \
        if runtime.settings.kafka_enabled else None
    if await to_thread.run_sync(reached, runtime, store, min_position, event):
        return
    state = request.app.state
    waiting: int = getattr(state, "waiting_readers", 0)
    if waiting >= runtime.settings.max_waiting_readers:
        raise not_ready(f"{waiting} readers are waiting for the views already; retry")
    state.waiting_readers = waiting + 1  # no await since the check: no other reader between
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not await to_thread.run_sync(reached, runtime, store, min_position, event):
            if time.monotonic() >= deadline:
                raise not_ready(f"the views have not reached position {min_position} yet")
            await asyncio.sleep(POLL_SECONDS)
    finally:
        state.waiting_readers -= 1


async def read_views(request: Request, _: Annotated[None, Depends(caught_up)]) -> ViewStore:
    """The view store, once the views include `min_position` if given; open reads with
    `views.reader()` inside the endpoint."""
    return view_store(get_runtime(request))


ViewsDep = Annotated[ViewStore, Depends(read_views)]
CaughtUp = Annotated[None, Depends(caught_up)]
