"""Breve: approve, edit, reject, exclude from a run, send again."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from opkraevning.app import casework
from opkraevning.web.api.schemas import LetterOut
from opkraevning.web.deps import ApiWriter, AppClock, Db, RowId

router = APIRouter()


class Approval(BaseModel):
    body: str | None = Field(default=None, max_length=100_000, description="edited text, if any")


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class Text(BaseModel):
    body: str = Field(min_length=1, max_length=100_000)


@router.post("/breve/{letter_id}/godkend")
def approve(
    letter_id: RowId, approval: Approval, user: ApiWriter, db: Db, clock: AppClock
) -> LetterOut:
    letter = casework.approve_letter(db, letter_id, user.username, approval.body, clock=clock)
    return LetterOut.of(letter)


@router.post("/breve/{letter_id}/rediger")
def edit(letter_id: RowId, text: Text, user: ApiWriter, db: Db) -> LetterOut:
    letter = casework.edit_letter(db, letter_id, text.body, user.username)
    return LetterOut.of(letter)


@router.post("/breve/{letter_id}/afvis")
def reject(letter_id: RowId, reason: Reason, user: ApiWriter, db: Db) -> LetterOut:
    letter = casework.reject_letter(db, letter_id, reason.reason, user.username)
    return LetterOut.of(letter)


@router.post("/breve/{letter_id}/udeluk")
def exclude(letter_id: RowId, reason: Reason, user: ApiWriter, db: Db) -> LetterOut:
    letter = casework.exclude_run_letter(db, letter_id, reason.reason, user.username)
    return LetterOut.of(letter)


@router.post("/breve/{letter_id}/igen")
def retry(letter_id: RowId, user: ApiWriter, db: Db, bekraeft: bool = False) -> LetterOut:
    """Send a failed letter again; ``bekraeft=true`` is needed when it may already have
    been delivered (the send was cut off and no sent folder can tell): 409 without."""
    letter = casework.retry_letter(db, letter_id, user.username, confirmed=bekraeft)
    return LetterOut.of(letter)
