"""Udbakke: every outgoing letter by state, and drafts that belong to no message or run."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from opkraevning.store import casework_queries as q
from opkraevning.web.deps import Db, PageUser
from opkraevning.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/udbakke", response_class=HTMLResponse)
def outbox(
    request: Request, user: PageUser, db: Db, tilstand: str = "", besked: str = ""
) -> Response:
    letters, counts = q.outbox(db, tilstand)
    return render(
        request,
        "udbakke.html",
        {
            "user": user,
            "letters": letters,
            "counts": counts,
            "tilstand": tilstand,
            "besked": besked,
            "drafts": q.standalone_drafts(db),
        },
    )
