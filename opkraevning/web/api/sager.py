"""Sager: one message with its reading and letters; choosing its debtor."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from opkraevning.app import casework
from opkraevning.domain.privacy import masked, masked_deep
from opkraevning.store import casework_queries as q
from opkraevning.store.inbound import parsed_or_none
from opkraevning.store.models import InboundMessage
from opkraevning.web.api.schemas import CaseOut, LetterOut, LettersOut, ReadingOut
from opkraevning.web.deps import ApiUser, ApiWriter, Db, RowId

router = APIRouter()


class DebtorChoice(BaseModel):
    debtor_id: str = Field(min_length=1, max_length=32)


class RequeuedOut(BaseModel):
    id: int
    stage: str  # the stage that runs it again: parse, read or draft
    state: str  # the state it waits in now
    error: str  # the error it was quarantined with


@router.get("/sager/{message_id}")
def case(message_id: RowId, user: ApiUser, db: Db) -> CaseOut:
    message = db.get(InboundMessage, message_id)
    if message is None:
        raise HTTPException(404, "findes ikke")
    casework.log_view(db, user.username, "inbound_message", str(message_id))
    parsed = parsed_or_none(message) if message.parsed is not None else None
    reading = parsed.reading if parsed else None
    return CaseOut(
        id=message.id,
        state=message.state,
        channel=message.channel,
        from_=masked(message.from_address),
        subject=masked(message.subject),
        text=masked(parsed.body) if parsed else None,
        quoted=masked(parsed.quoted) if parsed else None,
        reading=ReadingOut.model_validate(masked_deep(ReadingOut.of(reading).model_dump()))
        if reading
        else None,
        error=message.error,
        letters=[LetterOut.of(letter) for letter in q.letters_of_message(db, message_id)],
    )


@router.post("/sager/{message_id}/skyldner")
def pick_debtor(
    request: Request, message_id: RowId, choice: DebtorChoice, user: ApiWriter, db: Db
) -> LettersOut:
    casework.assign_debtor(
        db,
        message_id,
        choice.debtor_id,
        user.username,
        request.app.state.clock.today(),
        request.app.state.settings.policy_file,
    )
    return LettersOut(letters=[LetterOut.of(x) for x in q.letters_of_message(db, message_id)])


@router.post("/sager/{message_id}/proev-igen")
def requeue(message_id: RowId, user: ApiWriter, db: Db) -> RequeuedOut:
    """Send a quarantined message back to the stage that failed (the worker runs it again)."""
    from opkraevning.app.pipeline import RequeueError, requeue_message

    try:
        done = requeue_message(db, message_id, user.username)
    except RequeueError as exc:
        raise casework.CaseworkError(str(exc)) from None
    return RequeuedOut(id=done.message_id, stage=done.stage, state=done.state, error=done.error)
