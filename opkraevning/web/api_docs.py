"""The API's OpenAPI description and Swagger UI, served from a packaged copy.

The Swagger UI assets come from the ``swagger-ui-py`` package (Swagger UI 5, which reads
the OpenAPI 3.1 that FastAPI writes), so ``/api/docs`` works on a closed network: the
page loads nothing from outside the app. Both need a session, like the API itself.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from opkraevning.web.deps import PageUser

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
ASSET_PREFIX = "/api/docs/assets"


def swagger_ui_dir() -> Path:
    """The packaged Swagger UI files, found without importing the package's code."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def docs_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    static = swagger_ui_dir()

    @router.get("/api/openapi.json")
    def openapi(request: Request, user: PageUser) -> JSONResponse:
        return JSONResponse(request.app.openapi())

    @router.get("/api/docs", response_class=HTMLResponse)
    def docs(user: PageUser) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="opkraevning API",
            swagger_js_url=f"{ASSET_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSET_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{ASSET_PREFIX}/favicon-32x32.png",
        )

    @router.get(ASSET_PREFIX + "/{name}")
    def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, "ukendt fil")
        return FileResponse(
            static / name, media_type=ASSETS[name], headers={"Cache-Control": "max-age=86400"}
        )

    return router
