"""The public profile read, the API's hottest path: one statement, on the event loop.

On PostgreSQL the profile is one statement (projections/profile_sql.py) on an async pool
that the public router's lifespan opens in the app's own event loop: no thread-pool hop and
no transaction per lookup. SQLite (embedded mode), and an app served without its lifespan,
read in the thread pool instead, as every other view read does. `min_position` waits in the
thread pool too (api/readiness.py), exactly as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from api.deps import get_runtime
from api.readiness import wait_for
from projections import profile_sql, queries
from projections.storage import POSTGRES, ViewStore, view_store

POOL = "profile_pool"


async def _configure(conn: Any) -> None:
    # The same session default as the thread pool's readers: the API never writes views.
    await conn.execute("SET default_transaction_read_only = on")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the async pool for profile reads (PostgreSQL views only); close it at shutdown."""
    store = view_store(app.state.runtime)
    if store.dialect != POSTGRES:
        yield
        return
    from psycopg_pool import AsyncConnectionPool

    # Two ready connections: the pool adds the rest one by one, only when readers wait.
    pool = AsyncConnectionPool(store.url, min_size=min(2, store.pool_size),
                               max_size=store.pool_size, open=False,
                               kwargs={"autocommit": True}, configure=_configure,
                               name=f"profiles-{store.prefix}")
    await pool.open(wait=False)  # connects in the background: a down database fails reads only
    setattr(app.state, POOL, (asyncio.get_running_loop(), pool))
    try:
        yield
    finally:
        delattr(app.state, POOL)
        await pool.close()


def read_in_thread(store: ViewStore, code: str, today: str) -> bytes | None:
    """The profile's JSON through a pooled thread-side connection (or SQLite)."""
    if store.dialect == POSTGRES:
        with store.statement_reader() as tx:
            text = profile_sql.profile_json(tx, code, today)
        return None if text is None else text.encode()
    with store.reader() as tx:
        found = queries.profile(tx, code, today)
    return None if found is None else orjson.dumps(found)


def serving_names(store: ViewStore) -> dict[str, str]:
    with store.statement_reader() as tx:
        return tx.names


async def read_profile(request: Request, code: str, min_position: int | None) -> bytes | None:
    """The JSON body of `code`'s profile today, or None if unknown; ViewsNotReady if unbuilt."""
    runtime = get_runtime(request)
    store = view_store(runtime)
    if min_position is not None:
        await run_in_threadpool(wait_for, runtime, store, min_position)
    today = runtime.ledger.clock().isoformat()
    loop, pool = getattr(request.app.state, POOL, (None, None))
    if pool is None or loop is not asyncio.get_running_loop():
        return await run_in_threadpool(read_in_thread, store, code, today)
    # The store caches the serving generation's names (and forgets them on a swap here).
    names = store.fresh_names()
    if names is None:
        names = await run_in_threadpool(serving_names, store)
    sql = profile_sql.statement_for(names)
    async with pool.connection() as conn:
        text = await profile_sql.profile_json_async(conn, sql, code, today)
    return None if text is None else text.encode()
