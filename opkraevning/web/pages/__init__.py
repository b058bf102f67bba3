"""The caseworker's pages (server-rendered, Danish), one module per screen. Every page
needs a session; every form carries the CSRF token; every action goes through
``opkraevning.app.casework``."""

from __future__ import annotations

from fastapi import APIRouter

from opkraevning.web.pages import (
    brev,
    brugere,
    indbakke,
    log_ind,
    oversigt,
    rykkerkoersel,
    sag,
    skyldner,
    udbakke,
)

SCREENS = (log_ind, oversigt, indbakke, sag, brev, skyldner, rykkerkoersel, udbakke, brugere)


def page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for screen in SCREENS:
        router.include_router(screen.router)
    return router
