"""One router per resource; the app includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from api.routers import health

ROUTERS: list[APIRouter] = [health.router]
