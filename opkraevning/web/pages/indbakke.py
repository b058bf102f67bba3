"""Indbakke: the messages waiting for a caseworker, filterable by intent, state, claim type."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from opkraevning.store import casework_queries as q
from opkraevning.web.deps import Db, PageUser
from opkraevning.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/indbakke", response_class=HTMLResponse)
def inbox(
    request: Request,
    user: PageUser,
    db: Db,
    hensigt: str = "",
    tilstand: str = "",
    kravtype: str = "",
) -> Response:
    box = q.inbox(db, intent=hensigt, state=tilstand, claim_type=kravtype)
    return render(
        request,
        "indbakke.html",
        {
            "user": user,
            "box": box,
            "hensigt": hensigt,
            "tilstand": tilstand,
            "kravtype": kravtype,
        },
    )
