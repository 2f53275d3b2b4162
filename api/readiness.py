"""Public reads of the views, with read-your-writes: `min_position` waits for the runner.

Routers take `ViewsDep` to get a read transaction on the serving generation of every view
(`tx.t(table)`, `tx.fetchall(...)`). A reader that passes the position a write returned waits
up to two seconds for the views to reach it, and otherwise gets 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request

from api.deps import get_runtime
from ledger.runtime import Runtime
from projections import catalog
from projections.storage import POSTGRES, Tx, ViewsNotReady, ViewStore, view_store

WAIT_SECONDS = 2.0
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


def wait_for(runtime: Runtime, store: ViewStore, position: int,
             timeout: float = WAIT_SECONDS) -> None:
    """Wait until the views include `position`, or raise 503."""
    event = None
    if runtime.settings.kafka_enabled:
        # On Kafka the views know streams and versions, not positions: look the event up.
        found = runtime.ledger.recorder.select_notifications(start=position, limit=1,
                                                             stop=position)
        event = found[0] if found else None
    deadline = time.monotonic() + timeout
    while not reached(runtime, store, position, event):
        if time.monotonic() >= deadline:
            raise not_ready(f"the views have not reached position {position} yet")
        time.sleep(0.02)


async def reader_slot(request: Request) -> AsyncIterator[None]:
    """At most as many reads in the thread pool as the view pool has connections.

    A sync `yield` dependency holds its pooled connection while the endpoint waits for a
    thread; with more requests in flight than connections, every thread could block in the
    pool waiting for connections held by requests that wait for a thread. Waiting here, on
    the event loop, keeps every reader that got in able to finish.
    """
    store = view_store(get_runtime(request))
    if store.dialect != POSTGRES:
        yield  # SQLite readers use one connection per thread: nothing to run out of
        return
    gate: asyncio.Semaphore | None = getattr(request.app.state, "view_readers", None)
    if gate is None:
        gate = request.app.state.view_readers = asyncio.Semaphore(store.pool_size)
    async with gate:
        yield


MinPosition = Annotated[int | None, Query(
    ge=0, description="Wait (up to 2 s) until the views include this write position.")]


def read_views(
    request: Request,
    _slot: Annotated[None, Depends(reader_slot)],
    min_position: MinPosition = None,
) -> Iterator[Tx]:
    """A read transaction on the serving views, after waiting for `min_position` if given."""
    runtime = get_runtime(request)
    store = view_store(runtime)
    if min_position is not None:
        wait_for(runtime, store, min_position)
    with store.reader() as tx:
        try:
            yield tx
        except ViewsNotReady as e:
            raise not_ready(str(e)) from None


ViewsDep = Annotated[Tx, Depends(read_views)]
