"""Brugere (administrators only): list accounts, create one."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from sqlmodel import col, select

from opkraevning.store.models import UserAccount
from opkraevning.web.auth import AccountError, create_user
from opkraevning.web.deps import AdminApi, Db
from opkraevning.web.security import require_csrf

router = APIRouter()


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    role: str


class UserOut(BaseModel):
    username: str
    role: str
    disabled: bool
    locked_until: str | None


class CreatedUserOut(BaseModel):
    username: str
    role: str


@router.get("/brugere")
def users(user: AdminApi, db: Db) -> list[UserOut]:
    accounts = db.exec(select(UserAccount).order_by(col(UserAccount.username))).all()
    return [
        UserOut(
            username=a.username,
            role=a.role,
            disabled=a.disabled,
            locked_until=a.locked_until.isoformat() if a.locked_until else None,
        )
        for a in accounts
    ]


@router.post("/brugere", status_code=201)
def add_user(request: Request, new: NewUser, user: AdminApi, db: Db) -> CreatedUserOut:
    require_csrf(user, request.headers.get("X-CSRF-Token"))
    try:
        created = create_user(db, new.username, new.password, new.role, user.username)
    except AccountError as exc:
        raise HTTPException(422, str(exc)) from None
    return CreatedUserOut(username=created.username, role=created.role)
