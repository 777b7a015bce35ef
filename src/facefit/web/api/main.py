"""All API routers in one place (pages and assets are added by the app factory, but for the practice page
and the safety pages, which live beside the practice routes: facefit.web.practice_pages)."""

from __future__ import annotations

from fastapi import APIRouter

from facefit.web import practice_pages, study_pages
from facefit.web.api.routes import (
    account,
    admin,
    auth,
    catalog,
    coach,
    habits,
    live,
    photos,
    practice,
    progress,
    sessions,
    study,
)

api_router = APIRouter()
for module in (auth, account, sessions, photos, progress, habits, coach, admin, catalog, practice, live,
               study):
    api_router.include_router(module.router)
api_router.include_router(practice_pages.router)
api_router.include_router(study_pages.router)
