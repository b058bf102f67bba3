"""The dependencies every handler declares, as ``Annotated`` aliases.

``Db`` is one transaction per request; ``AppClock`` is the app's one clock;
``PageUser`` redirects to log-in without a session; ``ApiUser`` answers 401;
``ApiWriter`` also checks the CSRF header;
``AdminApi`` also requires the administrator role. ``RowId`` is an id in a
path, checked against the database's integer range.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from sqlmodel import Session

from opkraevning.domain.clock import Clock
from opkraevning.store.db import session_scope
from opkraevning.store.types import utcnow
from opkraevning.web.auth import session_user
from opkraevning.web.security import (
    SESSION_COOKIE,
    Caseworker,
    LoginRequired,
    require_admin,
    require_csrf,
)


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, else rolled back."""
    with session_scope(request.app.state.engine) as session:
        yield session


Db = Annotated[Session, Depends(get_db)]

MAX_ROW_ID = 2**63 - 1  # the largest id PostgreSQL BIGINT and SQLite INTEGER hold
# A row id in a path: outside 1..2^63-1 it is a 422, never an overflow deep in the driver.
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]


def get_clock(request: Request) -> Clock:
    """The app's one clock (tests give the app a fixed one)."""
    clock: Clock = request.app.state.clock
    return clock


AppClock = Annotated[Clock, Depends(get_clock)]


def _caseworker(request: Request) -> Caseworker | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with session_scope(request.app.state.engine) as session:
        found = session_user(session, token)
        if found is None:
            return None
        user, web = found
        now = utcnow()
        if (now - web.last_seen_at).total_seconds() > 60:
            web.last_seen_at = now
            session.add(web)
        assert user.id is not None
        return Caseworker(user.id, user.username, user.role, web.csrf_token)


def overview_user(request: Request) -> Caseworker:
    """Anyone logged in: the overview and the reports are for every role."""
    caseworker = _caseworker(request)
    if caseworker is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(quote(target, safe="/?=&"))
    request.state.caseworker = caseworker
    return caseworker


def _no_leader(caseworker: Caseworker) -> Caseworker:
    """A leader sees figures, never a single case (no debtor, no letter, no message)."""
    if caseworker.is_leader:
        raise HTTPException(403, "kræver rollen sagsbehandler")
    return caseworker


def page_user(request: Request) -> Caseworker:
    return _no_leader(overview_user(request))


def api_user(request: Request) -> Caseworker:
    caseworker = _caseworker(request)
    if caseworker is None:
        raise HTTPException(401, "log ind først", headers={"WWW-Authenticate": "Cookie"})
    return _no_leader(caseworker)


OverviewUser = Annotated[Caseworker, Depends(overview_user)]
PageUser = Annotated[Caseworker, Depends(page_user)]
ApiUser = Annotated[Caseworker, Depends(api_user)]


def api_csrf(request: Request, caseworker: ApiUser) -> Caseworker:
    """An API user whose request carries the CSRF header (for every POST)."""
    require_csrf(caseworker, request.headers.get("X-CSRF-Token"))
    return caseworker


ApiWriter = Annotated[Caseworker, Depends(api_csrf)]


def admin_api(caseworker: ApiUser) -> Caseworker:
    require_admin(caseworker)
    return caseworker


AdminApi = Annotated[Caseworker, Depends(admin_api)]
