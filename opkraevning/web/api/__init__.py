"""The JSON API: the same actions as the pages, with the same rules; one module per resource.

Log in with ``POST /api/log-ind`` (sets the session cookie, returns the CSRF token);
every POST then needs the header ``X-CSRF-Token``. No session: 401; wrong role: 403;
missing or wrong CSRF token: 403; an action that does not fit the state: 409.
"""

from __future__ import annotations

from fastapi import APIRouter

from opkraevning.web.api import (
    breve,
    brugere,
    indbakke,
    rykkerkoersler,
    sager,
    sessions,
    skyldnere,
    udbakke,
)

RESOURCES = (sessions, indbakke, sager, breve, skyldnere, rykkerkoersler, udbakke, brugere)


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"])
    for resource in RESOURCES:
        router.include_router(resource.router)
    return router
