"""The read stage: the parsed message → who wrote, about which claims, what they want.

Runs inside the caller's transaction; the reading is stored with the message and the
message ends in ``classified`` (waiting for the draft stage).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from opkraevning.assistant.read.reading import read_message
from opkraevning.domain.inbound import Reading
from opkraevning.store.inbound import stored_parsed
from opkraevning.store.models import InboundMessage, MessageState
from opkraevning.store.register_lookup import SqlRegister
from opkraevning.store.types import utcnow


def read_stage(session: Session, message: InboundMessage, today: date) -> Reading:
    """Match, claims, intents and offer for a parsed message (inside the caller's transaction)."""
    parsed = stored_parsed(message)
    reading = read_message(SqlRegister(session), parsed, message.raw, today)
    message.parsed = parsed.model_copy(update={"reading": reading}).to_json()
    message.debtor_id = reading.debtor_id
    message.claim_ids = reading.claim_ids
    message.state = MessageState.CLASSIFIED.value
    message.updated_at = utcnow()
    session.add(message)
    return reading


def stored_reading(message: InboundMessage) -> Reading:
    """The reading the read stage stored with the message, validated."""
    reading = stored_parsed(message).reading
    if reading is None:
        raise ValueError(f"message {message.id} has no reading")
    return reading
