"""The public portal (信用盘锦): server-rendered pages in Chinese over the same views as the
API, Jinja2 templates and static files packaged here, no script needed (docs/adr/024)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api.portal import docs, guide, home, regions, subject, tables
from api.portal.render import HERE

# Explicit, like api/routers: a page module that cannot be imported stops start-up.
ROUTERS: tuple[APIRouter, ...] = (
    home.router,      # /, /search, /lookup
    subject.router,   # /subjects/{code}
    tables.router,    # /lists/{name}, /publicity, /authorities
    guide.router,     # /repair, /indicators
    regions.router,   # /regions: the county monitoring ranking
    docs.router,      # /docs, /redoc
)


def install(app: FastAPI) -> None:
    """The pages, the portal's stylesheet at /static/portal and the API docs' assets."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static/portal", StaticFiles(directory=HERE / "static"), name="portal-static")
    docs.mount_assets(app)
