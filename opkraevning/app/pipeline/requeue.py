"""The way back from quarantine (like GNU Mailman's ``unshunt``).

A quarantined message goes back to the state the stage that failed waits in, so the
runner tries that stage again with what the earlier stages stored. Messages
quarantined before the stage was recorded (only ``error``, "parse: …") go back to the
stage named at the start of the error, else to the first stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from opkraevning.app.pipeline.runner import STAGE_BY_NAME, STAGES, Stage
from opkraevning.store.audit import record
from opkraevning.store.models import InboundMessage, MessageState
from opkraevning.store.types import utcnow


class RequeueError(Exception):
    """A message that cannot be sent back (unknown, or not quarantined)."""


@dataclass(frozen=True)
class Requeued:
    message_id: int
    stage: str  # the stage that will run it again
    state: str  # the state it waits in now
    error: str  # the error it was quarantined with


def failed_stage(message: InboundMessage) -> Stage:
    """The stage that quarantined the message."""
    if message.failed_stage in STAGE_BY_NAME:
        return STAGE_BY_NAME[message.failed_stage]
    prefix = (message.error or "").split(":", 1)[0].strip()
    return STAGE_BY_NAME.get(prefix, STAGES[0])


def quarantined_ids(session: Session) -> list[int]:
    query = (
        select(InboundMessage.id)
        .where(InboundMessage.state == MessageState.QUARANTINED.value)
        .order_by(col(InboundMessage.id))
    )
    return [message_id for message_id in session.exec(query).all() if message_id is not None]


def requeue_message(session: Session, message_id: int, actor: str) -> Requeued:
    """Send one quarantined message back to the stage that failed (caller's transaction)."""
    message = session.get(InboundMessage, message_id, with_for_update=True)
    if message is None:
        raise RequeueError(f"Henvendelse {message_id} findes ikke.")
    if message.state != MessageState.QUARANTINED.value:
        raise RequeueError(f"Henvendelse {message_id} er ikke sat til side efter en fejl.")
    stage = failed_stage(message)
    error = message.error or ""
    message.state = stage.waits_in.value
    message.error = None
    message.failed_stage = None
    message.updated_at = utcnow()
    session.add(message)
    record(
        session,
        actor,
        "message.requeued",
        "inbound_message",
        str(message_id),
        {"stage": stage.name, "state": stage.waits_in.value, "error": error[:500]},
    )
    return Requeued(message_id, stage.name, stage.waits_in.value, error)


def requeue(session: Session, message_ids: list[int] | None, actor: str) -> list[Requeued]:
    """Send the given quarantined messages (``None``: all of them) back; caller's transaction."""
    ids = quarantined_ids(session) if message_ids is None else message_ids
    return [requeue_message(session, message_id, actor) for message_id in ids]
