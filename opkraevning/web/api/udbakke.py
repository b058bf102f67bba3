"""Udbakke: outgoing letters by state."""

from __future__ import annotations

from fastapi import APIRouter

from opkraevning.store import casework_queries as q
from opkraevning.web.api.schemas import CountedLettersOut, LetterOut
from opkraevning.web.deps import ApiUser, Db

router = APIRouter()


@router.get("/udbakke")
def outbox(user: ApiUser, db: Db, state: str = "") -> CountedLettersOut:
    letters, counts = q.outbox(db, state)
    return CountedLettersOut(counts=dict(counts), letters=[LetterOut.of(x) for x in letters])
