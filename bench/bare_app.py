"""The bare baseline for the API benchmark: the same paths and bytes, served from a dict.

    uvicorn bench.bare_app:create --factory   (BENCH_BARE_DATA=FILE, written by bench.api_load)

The file holds real responses captured from the ledger's API, so the baseline sends the same
JSON through the same stack (uvicorn, FastAPI, a plain `def` endpoint in the thread pool,
orjson) with no database behind it.
"""

from __future__ import annotations

import os
import zlib
from typing import Any

import orjson
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def create() -> FastAPI:
    with open(os.environ["BENCH_BARE_DATA"], "rb") as f:
        data = orjson.loads(f.read())
    subjects: dict[str, Any] = data["subjects"]
    lists: dict[str, list[Any]] = data["lists"]
    # A code not captured gets one of the captured documents, the same one every time, so
    # the mix of sizes matches the ledger's.
    documents = list(subjects.values())
    app = FastAPI(default_response_class=OrjsonResponse)

    @app.get("/v1/subjects/{code}")
    def subject(code: str) -> Any:
        found = subjects.get(code)
        return found if found is not None else documents[zlib.crc32(code.encode()) %
                                                          len(documents)]

    @app.get("/v1/lists/{list_name}")
    def members(list_name: str, page: int = 1) -> Any:
        pages = lists.get(list_name)
        if not pages:
            raise HTTPException(404, "no such list")
        return pages[(page - 1) % len(pages)]

    return app
