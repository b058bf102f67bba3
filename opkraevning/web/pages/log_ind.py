"""Log-in and log-out (the log-in form has its own CSRF cookie: there is no session yet)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from opkraevning.store.audit import record
from opkraevning.store.db import session_scope
from opkraevning.web.auth import authenticate, close_session, open_session
from opkraevning.web.deps import OverviewUser, PageUser
from opkraevning.web.pages.common import render, safe_next, set_cookie
from opkraevning.web.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    client_address,
    require_csrf,
)

router = APIRouter(include_in_schema=False)


@router.get("/log-ind", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/indbakke", fejl: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "log_ind.html", {"login_csrf": token, "next": safe_next(next), "fejl": fejl}
    )
    set_cookie(response, request, LOGIN_COOKIE, token, 1800)
    return response


@router.post("/log-ind")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    login_csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/indbakke",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, login_csrf):
        raise HTTPException(403, "ugyldigt CSRF-token: genindlæs siden")
    settings = request.app.state.settings.web
    with session_scope(request.app.state.engine) as session:
        result = authenticate(
            session, username, password, settings, address=client_address(request)
        )
        if result.user is None:
            message = {
                "locked": "Kontoen er låst et stykke tid efter for mange forkerte forsøg.",
                "disabled": "Kontoen er lukket.",
                "throttled": "For mange forkerte forsøg herfra. Prøv igen om et kvarter.",
            }.get(result.reason, "Forkert brugernavn eller adgangskode.")
            return render(
                request,
                "log_ind.html",
                {"login_csrf": expected, "next": safe_next(next), "fejl": message},
                status=429 if result.reason == "throttled" else 401,
            )
        token, _ = open_session(session, result.user, settings)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(response, request, SESSION_COOKIE, token, int(settings.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/log-ud")
def logout(request: Request, user: PageUser, csrf_token: Annotated[str, Form()] = "") -> Response:
    require_csrf(user, csrf_token)
    with session_scope(request.app.state.engine) as session:
        close_session(session, request.cookies.get(SESSION_COOKIE))
        record(session, user.username, "logout", "user_account", str(user.user_id))
    response = RedirectResponse("/log-ind", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def root(user: OverviewUser) -> RedirectResponse:
    """A leader lands on the overview, everybody else on the inbox."""
    target = "/oversigt" if user.is_leader else "/indbakke"
    return RedirectResponse(target, status_code=303)
