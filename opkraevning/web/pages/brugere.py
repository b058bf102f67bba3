"""Brugere (administrators only): the accounts and creating one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from opkraevning.store.models import UserAccount
from opkraevning.web.auth import ROLES, AccountError, create_user
from opkraevning.web.deps import Db, PageUser
from opkraevning.web.pages.common import back, render
from opkraevning.web.security import require_admin, require_csrf

router = APIRouter(include_in_schema=False)


@router.get("/admin/brugere", response_class=HTMLResponse)
def users(request: Request, user: PageUser, db: Db, fejl: str = "") -> Response:
    require_admin(user)
    accounts = db.exec(select(UserAccount).order_by(col(UserAccount.username))).all()
    return render(
        request,
        "brugere.html",
        {"user": user, "accounts": accounts, "roles": ROLES, "fejl": fejl},
    )


@router.post("/admin/brugere")
def add_user(
    user: PageUser,
    db: Db,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_admin(user)
    require_csrf(user, csrf_token)
    try:
        create_user(db, username, password, role, user.username)
    except AccountError as exc:
        return back(f"/admin/brugere?fejl={str(exc)[:200]}")
    return back("/admin/brugere", "oprettet")
