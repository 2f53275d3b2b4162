"""`/docs` (Swagger UI) and `/redoc` (ReDoc) served whole by the app, for intranets with no
internet: the assets are those the `fastapi-offline` package ships (Swagger UI 5, which
renders the OpenAPI 3.1 FastAPI emits), mounted at /static/docs; nothing is fetched from a
CDN, a font service or a validator (docs/adr/024)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/docs"
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def assets_dir() -> Path:
    return Path(str(resources.files("fastapi_offline").joinpath("static")))


def accessible(page: HTMLResponse, root: str, css_after: str | None = None) -> HTMLResponse:
    """The page with its language declared (FastAPI's writes a bare `<html>`: the UI and the
    operations' descriptions are English, and screen readers pick their voice by it) and, after
    the stylesheet `css_after`, the portal's contrast fixes (static/docs.css)."""
    body = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1)
    if css_after:
        sheet = f'href="{css_after}">'.encode()
        body = body.replace(sheet, sheet + f'\n<link type="text/css" rel="stylesheet" '
                            f'href="{root}/static/portal/docs.css">'.encode(), 1)
    return HTMLResponse(body, status_code=page.status_code)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json, every asset from this server."""
    root = request.scope.get("root_path", "")
    css = f"{root}{ASSETS}/swagger-ui.css"
    return accessible(get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - API",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=css,
        swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
        oauth2_redirect_url=None,
        # Swagger UI's default sends the document to validator.swagger.io for a badge. Deep
        # links put a link inside each operation's toggle button (axe: nested-interactive);
        # the highlighter's colours fall short of 4.5:1 on its dark background.
        swagger_ui_parameters={"validatorUrl": None, "deepLinking": False,
                               "syntaxHighlight": False}), root, css)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json, without Google's fonts."""
    root = request.scope.get("root_path", "")
    return accessible(get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}",
                                     title=f"{request.app.title} - ReDoc",
                                     redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
                                     redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
                                     with_google_fonts=False), root)


def mount_assets(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
