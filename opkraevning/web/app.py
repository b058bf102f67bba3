"""The caseworker web app (FastAPI, server-rendered Danish pages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from opkraevning import __version__
from opkraevning.formatting import dato, kr
from opkraevning.privacy import mask_cpr
from opkraevning.settings import Settings
from opkraevning.store import migrate
from opkraevning.store.queries import debtor_page

TEMPLATES_DIR = Path(__file__).parent / "templates"
PAGE_SIZE = 50


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters.update(kr=kr, dato=dato, mask_cpr=mask_cpr)
    templates.env.globals["version"] = __version__
    return templates


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    app = FastAPI(title="opkraevning", version=__version__)
    app.state.settings = settings
    app.state.engine = engine
    templates = _templates()

    @app.get("/health", tags=["drift"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", tags=["drift"])
    def ready() -> JSONResponse:
        """Readiness: the database answers and its schema is current."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = migrate.is_up_to_date(engine)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, 503)
        if not current:
            return JSONResponse({"status": "unavailable", "database": "schema not current"}, 503)
        return JSONResponse({"status": "ready"})

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/skyldnere", status_code=303)

    @app.get("/skyldnere", response_class=HTMLResponse)
    def debtors(
        request: Request,
        db: DbSession,
        q: Annotated[str, Query(max_length=100)] = "",
        side: Annotated[int, Query(ge=1)] = 1,
    ) -> Response:
        rows, total = debtor_page(db, search=q, offset=(side - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        context: dict[str, Any] = {"rows": rows, "total": total, "q": q, "side": side}
        context["pages"] = pages
        return templates.TemplateResponse(request, "skyldnere.html", context)

    return app
