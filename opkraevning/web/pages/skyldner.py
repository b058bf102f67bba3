"""Skyldner: search, one debtor's history, and the actions on their claims (pause,
udlæg, activating an agreement, showing the full CPR number)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from opkraevning.app import casework
from opkraevning.store import casework_queries as q
from opkraevning.store.audit import record
from opkraevning.store.queries import debtor_page
from opkraevning.web.deps import AppClock, Db, PageUser, RowId
from opkraevning.web.pages.common import PAGE_SIZE, back, date_or_none, render, safe_next
from opkraevning.web.security import require_csrf

router = APIRouter(include_in_schema=False)


@router.post("/skyldner/{debtor_id}/pause")
def hold(
    debtor_id: str,
    user: PageUser,
    db: Db,
    reason: Annotated[str, Form()],
    claim_id: Annotated[str, Form()] = "",
    until: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    tilbage: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    end = date_or_none(until)
    claims = [claim_id] if claim_id else []
    casework.hold_claims(db, debtor_id, claims, reason, user.username, end, note)
    return back(safe_next(tilbage or f"/skyldner/{debtor_id}"), "pause")


@router.post("/aftale/{agreement_id}/aktiver")
def activate(
    request: Request,
    agreement_id: RowId,
    user: PageUser,
    db: Db,
    clock: AppClock,
    tilbage: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    policy = request.app.state.settings.policy_file
    casework.activate_agreement(db, agreement_id, user.username, policy, clock=clock)
    return back(safe_next(tilbage or "/indbakke"), "aftale-aktiv")


@router.post("/krav/{claim_id}/udlaeg")
def udlaeg(
    claim_id: str,
    user: PageUser,
    db: Db,
    day: Annotated[str, Form()],
    tilbage: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    when = date_or_none(day)
    if when is None:
        raise HTTPException(422, "Skriv datoen for udlægget.")
    casework.record_udlaeg(db, claim_id, when, user.username)
    return back(safe_next(tilbage or "/skyldnere"), "udlaeg")


@router.get("/skyldnere", response_class=HTMLResponse)
def debtors(
    request: Request,
    user: PageUser,
    db: Db,
    q_: Annotated[str, Query(alias="q", max_length=100)] = "",
    side: Annotated[int, Query(ge=1, le=10**9)] = 1,
) -> Response:
    rows, total = debtor_page(db, search=q_, offset=(side - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if q_:
        record(db, user.username, "debtor.searched", "debtor", "-", {"hits": total})
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "skyldnere.html",
        {"user": user, "rows": rows, "total": total, "q": q_, "side": side, "pages": pages},
    )


@router.get("/skyldner/{debtor_id}", response_class=HTMLResponse)
def debtor(request: Request, debtor_id: str, user: PageUser, db: Db, besked: str = "") -> Response:
    history = q.debtor_history(db, debtor_id)
    if history is None:
        raise HTTPException(404, "Skyldneren findes ikke.")
    casework.log_view(db, user.username, "debtor", debtor_id)
    return render(
        request, "skyldner.html", {"user": user, "h": history, "full_cpr": None, "besked": besked}
    )


@router.post("/skyldner/{debtor_id}/cpr", response_class=HTMLResponse)
def debtor_cpr(
    request: Request,
    debtor_id: str,
    user: PageUser,
    db: Db,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(user, csrf_token)
    cpr = casework.view_cpr(db, debtor_id, user.username)
    history = q.debtor_history(db, debtor_id)
    return render(
        request, "skyldner.html", {"user": user, "h": history, "full_cpr": cpr, "besked": ""}
    )
