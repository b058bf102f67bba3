"""Quarantine: a message a stage could not handle is kept, with the stage and the error."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from opkraevning.mailbox.formats.memo import MemoError
from opkraevning.store.audit import record
from opkraevning.store.db import session_scope
from opkraevning.store.models import InboundMessage, MessageState
from opkraevning.store.types import utcnow


def failure_reason(exc: Exception) -> str:
    """The error in words: a MeMo error says what is wrong already; others get their type."""
    return str(exc) if isinstance(exc, MemoError) else f"{type(exc).__name__}: {exc}"


def quarantine(engine: Engine, message_id: int, stage: str, reason: str) -> None:
    """In its own transaction (the stage's was rolled back): state, stage and error, audited."""
    with session_scope(engine) as session:
        session.execute(
            update(InboundMessage)
            .where(col(InboundMessage.id) == message_id)
            .values(
                state=MessageState.QUARANTINED.value,
                failed_stage=stage,
                error=f"{stage}: {reason}"[:4000],
                updated_at=utcnow(),
                attempts=InboundMessage.attempts + 1,
            )
        )
        record(
            session,
            "pipeline",
            "message.quarantined",
            "inbound_message",
            str(message_id),
            {"stage": stage},
            reason=reason[:500],
        )
