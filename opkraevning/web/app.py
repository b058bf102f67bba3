"""The caseworker web app (FastAPI, server-rendered Danish pages, and a JSON API).

Every page but log-in and the health endpoints needs a session; so do the API and
its OpenAPI description (``/api/openapi.json``, browsable at ``/api/docs``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from opkraevning import __version__
from opkraevning.app.casework import CaseworkError
from opkraevning.domain.claim_types import danish_name
from opkraevning.domain.clock import Clock, SystemClock
from opkraevning.domain.privacy import mask_cpr, masked, redact_cpr_in_text
from opkraevning.domain.text import visible_controls
from opkraevning.settings import Settings
from opkraevning.store import migrate
from opkraevning.store.models import outcome_unknown
from opkraevning.templates_da import names
from opkraevning.templates_da.formatting import dato, kr
from opkraevning.web.api import api_router
from opkraevning.web.api_docs import docs_router
from opkraevning.web.pages import page_router
from opkraevning.web.security import LoginRequired, has_nul

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _local(moment: Any) -> str:
    from zoneinfo import ZoneInfo

    if moment is None:
        return ""
    return str(moment.astimezone(ZoneInfo("Europe/Copenhagen")).strftime("%d.%m.%Y %H:%M"))


def _day(value: date | str | None) -> str:
    """A date, or a date written as ISO text in a stored trace, as Danes write it."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return dato(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return dato(value)


def _shown(value: Any) -> Any:
    """Every value a page shows: invisible and direction-changing characters made visible."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_controls(value)
    return value


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True  # everything a citizen wrote is text, never markup
    # bidi overrides and zero-width characters in any shown value become visible
    env.finalize = _shown
    env.filters.update(
        kr=kr,
        dato=dato,
        mask_cpr=mask_cpr,
        type_name=danish_name,
        lokal=_local,
        da=names.danish,
        intent_name=lambda v: names.danish("intent", v),
        state_name=names.state,
        channel_name=lambda v: names.danish("Channel", v),
        letter_kind=lambda v: names.danish("letter_kind", v),
        claim_status=lambda v: names.danish("ClaimStatus", v),
        claim_line=lambda v: names.danish("ClaimLine", v),
        hold_reason=lambda v: names.danish("HoldReason", v),
        agreement_status=lambda v: names.danish("AgreementStatus", v),
        role_name=lambda v: names.danish("Role", v),
        evidence_kind=lambda v: names.danish("evidence_kind", v),
        evidence_field=lambda v: names.danish("evidence_field", v),
        proposal_decision=lambda v: names.danish("proposal_decision", v),
        draft_action=lambda v: names.danish("draft_action", v),
        run_list=lambda v: names.danish("run_list", v),
        audit_action=lambda v: names.danish("audit_action", v),
        entity_name=lambda v: names.danish("entity", v),
        match_reason=names.match_reason,
        step_reason=lambda v: names.danish("step_reason", v),
        dag=_day,
        mask_cpr_in_text=redact_cpr_in_text,
        citizen=masked,  # a subject, a sender (or None): CPR masked like the case body
    )
    env.globals["version"] = __version__
    env.globals["outcome_unknown"] = outcome_unknown
    return templates


def create_app(settings: Settings, engine: Engine, clock: Clock | None = None) -> FastAPI:
    """The web app; ``clock`` (default: the system's, in the settings' zone) says what day it is."""
    app = FastAPI(
        title="opkraevning",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        description="Opkrævningens sagsbehandling: samme handlinger og rettigheder som siderne.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock or SystemClock(settings.zone)
    templates = _templates()
    app.state.templates = templates

    @app.exception_handler(LoginRequired)
    def _login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/log-ind?next={exc.next_path}", status_code=303)

    def _error(request: Request, status: int, detail: Any, headers: Any = None) -> Response:
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return JSONResponse({"detail": detail}, status, headers=headers)
        return templates.TemplateResponse(
            request, "fejl.html", {"status": status, "detail": detail}, status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(CaseworkError)
    def _casework_error(request: Request, exc: CaseworkError) -> Response:
        """An action that does not fit the case's state (already approved, no such letter):
        409 with the Danish reason, for pages and API alike. The request's transaction has
        been rolled back by then."""
        return _error(request, 409, str(exc))

    @app.middleware("http")
    async def _no_nul(request: Request, call_next: Any) -> Response:
        if await has_nul(request):
            return _error(
                request, 400, "Forespørgslen indeholder et NUL-tegn; det er ikke tilladt."
            )
        response: Response = await call_next(request)
        return response

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; "
                "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
            )
        response.headers.setdefault("Cache-Control", "no-store")
        return response

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

    app.include_router(docs_router())
    app.include_router(api_router())
    app.include_router(page_router())
    return app
