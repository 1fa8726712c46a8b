"""The /api/v1 router: every route of the JSON API, each with its access policy."""

from __future__ import annotations

from fastapi import APIRouter

from painpath.web.api import admin_routes, auth_routes, episode_routes, patient_routes

__all__ = ["api_router"]

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_routes.router)
api_router.include_router(patient_routes.router)
api_router.include_router(episode_routes.router)
api_router.include_router(admin_routes.router)
