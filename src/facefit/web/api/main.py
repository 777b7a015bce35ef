"""All API routers in one place (pages and assets are added by the app factory)."""

from __future__ import annotations

from fastapi import APIRouter

from facefit.web.api.routes import (
    account,
    admin,
    auth,
    catalog,
    coach,
    habits,
    live,
    photos,
    progress,
    sessions,
)

api_router = APIRouter()
for module in (auth, account, sessions, photos, progress, habits, coach, admin, catalog, live):
    api_router.include_router(module.router)
