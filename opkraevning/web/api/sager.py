"""Sager: one message with its reading and letters; choosing its debtor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from opkraevning.app import casework
from opkraevning.store import casework_queries as q
from opkraevning.store.models import InboundMessage
from opkraevning.web.deps import ApiUser, ApiWriter, Db

router = APIRouter()


class DebtorChoice(BaseModel):
    debtor_id: str = Field(min_length=1, max_length=32)


@router.get("/sager/{message_id}")
def case(message_id: int, user: ApiUser, db: Db) -> dict[str, Any]:
    message = db.get(InboundMessage, message_id)
    if message is None:
        raise HTTPException(404, "findes ikke")
    casework.log_view(db, user.username, "inbound_message", str(message_id))
    parsed = message.parsed or {}
    return {
        "id": message.id,
        "state": message.state,
        "channel": message.channel,
        "from": message.from_address,
        "subject": message.subject,
        "text": parsed.get("body"),
        "quoted": parsed.get("quoted"),
        "reading": parsed.get("reading"),
        "error": message.error,
        "letters": [q.jsonable_letter(letter) for letter in q.letters_of_message(db, message_id)],
    }


@router.post("/sager/{message_id}/skyldner")
def pick_debtor(
    request: Request, message_id: int, choice: DebtorChoice, user: ApiWriter, db: Db
) -> dict[str, Any]:

    casework.assign_debtor(
        db,
        message_id,
        choice.debtor_id,
        user.username,
        request.app.state.clock.today(),
        request.app.state.settings.policy_file,
    )
    return {"letters": [q.jsonable_letter(x) for x in q.letters_of_message(db, message_id)]}
