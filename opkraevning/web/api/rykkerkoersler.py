"""Rykkerkørsler: the runs, one run's letters, batch approval, transfers to Gældsstyrelsen."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from opkraevning.app import casework
from opkraevning.store import casework_queries as q
from opkraevning.store.models import ScheduledRun
from opkraevning.web.api.schemas import LetterOut, RunLetterOut, RunLettersOut
from opkraevning.web.deps import MAX_ROW_ID, ApiUser, ApiWriter, AppClock, Db, RowId
from opkraevning.web.run_lists import forget

router = APIRouter()


class Transfer(BaseModel):
    claim_ids: list[str] = Field(min_length=1, max_length=10_000)


class BatchApproval(BaseModel):
    letter_ids: list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]] | None = None


class RunOut(BaseModel):
    id: int | None
    date: str
    state: str
    summary: dict[str, Any] | None  # the run's counts, as recorded
    policy_version: str | None


class ApprovedOut(BaseModel):
    approved: int


@router.post("/overdragelser")
def transferred(
    request: Request, transfer: Transfer, user: ApiWriter, db: Db, clock: AppClock
) -> list[LetterOut]:
    """Mark claims as handed to Gældsstyrelsen; returns the drafted notices."""
    policy = request.app.state.settings.policy_file
    letters = casework.mark_transferred(db, transfer.claim_ids, user.username, policy, clock=clock)
    db.commit()  # before the lists are recomputed from the database
    forget(request.app.state.engine)
    return [LetterOut.of(letter) for letter in letters]


@router.get("/rykkerkoersler")
def runs(user: ApiUser, db: Db) -> list[RunOut]:
    return [
        RunOut(
            id=run.id,
            date=run.slot,
            state=run.state,
            summary=run.summary,
            policy_version=run.policy_version,
        )
        for run in q.runs(db)
    ]


@router.get("/rykkerkoersler/{run_id}/breve")
def run_letters(run_id: RowId, user: ApiUser, db: Db, state: str = "needs_review") -> RunLettersOut:
    if db.get(ScheduledRun, run_id) is None:
        raise HTTPException(404, "findes ikke")
    letters, counts = q.run_letters(db, run_id, state)
    return RunLettersOut(
        counts=dict(counts),
        letters=[
            RunLetterOut(**LetterOut.of(letter).model_dump(), debtor_name=name)
            for letter, name in letters
        ],
    )


@router.post("/rykkerkoersler/{run_id}/godkend")
def approve_run(
    run_id: RowId, batch: BatchApproval, user: ApiWriter, db: Db, clock: AppClock
) -> ApprovedOut:
    if db.get(ScheduledRun, run_id) is None:
        raise HTTPException(404, "findes ikke")
    approved = casework.approve_run_batch(db, run_id, user.username, batch.letter_ids, clock=clock)
    return ApprovedOut(approved=approved)
