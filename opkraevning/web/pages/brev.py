"""The actions on one outgoing letter: approve, save an edit, reject, exclude, send again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from opkraevning.app import casework
from opkraevning.web.deps import AppClock, Db, PageUser, RowId
from opkraevning.web.pages.common import back, letter_home, safe_next
from opkraevning.web.security import require_csrf

router = APIRouter(include_in_schema=False)


@router.post("/brev/{letter_id}/godkend")
def approve(
    letter_id: RowId,
    user: PageUser,
    db: Db,
    clock: AppClock,
    csrf_token: Annotated[str, Form()] = "",
    body: Annotated[str | None, Form(max_length=100_000)] = None,
    tilbage: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    letter = casework.approve_letter(db, letter_id, user.username, body, clock=clock)
    return back(safe_next(tilbage or letter_home(letter)), "godkendt")


@router.post("/brev/{letter_id}/gem")
def save(
    letter_id: RowId,
    user: PageUser,
    db: Db,
    body: Annotated[str, Form(max_length=100_000)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    letter = casework.edit_letter(db, letter_id, body, user.username)
    return back(letter_home(letter), "gemt")


@router.post("/brev/{letter_id}/afvis")
def reject(
    letter_id: RowId,
    user: PageUser,
    db: Db,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    letter = casework.reject_letter(db, letter_id, reason, user.username)
    return back(letter_home(letter), "afvist")


@router.post("/brev/{letter_id}/udeluk")
def exclude(
    letter_id: RowId,
    user: PageUser,
    db: Db,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    letter = casework.exclude_run_letter(db, letter_id, reason, user.username)
    return back(f"/rykkerkoersel/{letter.run_id}", "udelukket")


@router.post("/brev/{letter_id}/igen")
def retry(
    letter_id: RowId,
    user: PageUser,
    db: Db,
    csrf_token: Annotated[str, Form()] = "",
    bekraeft: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    require_csrf(user, csrf_token)
    casework.retry_letter(db, letter_id, user.username, confirmed=bekraeft == "ja")
    return back("/udbakke", "sendes-igen")
