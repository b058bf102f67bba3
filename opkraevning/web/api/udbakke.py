"""Udbakke: outgoing letters by state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from opkraevning.store import casework_queries as q
from opkraevning.web.deps import ApiUser, Db

router = APIRouter()


@router.get("/udbakke")
def outbox(user: ApiUser, db: Db, state: str = "") -> dict[str, Any]:
    letters, counts = q.outbox(db, state)
    return {"counts": dict(counts), "letters": [q.jsonable_letter(x) for x in letters]}
