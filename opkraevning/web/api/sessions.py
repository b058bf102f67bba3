"""Log-in, log-out and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from opkraevning.store.db import session_scope
from opkraevning.web.auth import authenticate, close_session, open_session
from opkraevning.web.deps import ApiUser, ApiWriter
from opkraevning.web.security import SESSION_COOKIE, client_address

router = APIRouter()


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class LoggedInOut(BaseModel):
    csrf_token: str
    role: str


class LoggedOutOut(BaseModel):
    status: str


class MeOut(BaseModel):
    username: str
    role: str
    csrf_token: str


@router.post("/log-ind")
def login(request: Request, response: Response, credentials: Credentials) -> LoggedInOut:
    settings = request.app.state.settings.web
    with session_scope(request.app.state.engine) as session:
        # the failure count must be committed, so the refusal is raised afterwards
        result = authenticate(
            session,
            credentials.username,
            credentials.password,
            settings,
            address=client_address(request),
        )
        if result.user is not None:
            token, csrf = open_session(session, result.user, settings)
            role = result.user.role
    if result.user is None:
        status = {"locked": 423, "throttled": 429}.get(result.reason, 401)
        raise HTTPException(status, "log-ind afvist")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        path="/",
    )
    return LoggedInOut(csrf_token=csrf, role=role)


@router.post("/log-ud")
def logout(request: Request, response: Response, user: ApiWriter) -> LoggedOutOut:
    with session_scope(request.app.state.engine) as session:
        close_session(session, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return LoggedOutOut(status="logget ud")


@router.get("/mig")
def me(user: ApiUser) -> MeOut:
    return MeOut(username=user.username, role=user.role, csrf_token=user.csrf)
