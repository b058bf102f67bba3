"""The pipeline runner: picks waiting messages by state and runs one stage on each.

Every stage is a unit with the state its work waits in (``parse`` takes ``received``,
``read`` takes ``parsed``, ``draft`` takes ``classified``). One call runs the stages in
order, each message through each stage in its own transaction, so a message that a
stage cannot handle is quarantined with that stage's name and error while what the
earlier stages did is kept; ``requeue`` sends it back to the stage that failed.

On PostgreSQL several workers share the work (``FOR UPDATE SKIP LOCKED``); on
SQLite one worker does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from opkraevning.app.pipeline.draft import draft_stage
from opkraevning.app.pipeline.parse import parse_message
from opkraevning.app.pipeline.quarantine import failure_reason, quarantine
from opkraevning.app.pipeline.read import read_stage, stored_reading
from opkraevning.domain.clock import SYSTEM_CLOCK, Clock
from opkraevning.logs import message_context
from opkraevning.store.db import session_scope
from opkraevning.store.models import InboundMessage, MessageState

log = logging.getLogger("opkraevning.app.pipeline")


@dataclass(frozen=True)
class StageInput:
    own: set[str]  # our own addresses, lower case (mail from them is ours, not a citizen's)
    today: date
    policy_path: Path | None


@dataclass(frozen=True)
class Stage:
    name: str
    waits_in: MessageState
    run: Callable[[Session, InboundMessage, StageInput], None]


def _parse(session: Session, message: InboundMessage, given: StageInput) -> None:
    parse_message(session, message, given.own)


def _read(session: Session, message: InboundMessage, given: StageInput) -> None:
    reading = read_stage(session, message, given.today)
    log.info("message read: intent %s, debtor %s", reading.intent, reading.debtor_id or "none")


def _draft(session: Session, message: InboundMessage, given: StageInput) -> None:
    draft = draft_stage(session, message, stored_reading(message), given.today, given.policy_path)
    log.info(
        "message drafted: state %s, draft %s", message.state, draft.situation if draft else "none"
    )


STAGES: tuple[Stage, ...] = (
    Stage("parse", MessageState.RECEIVED, _parse),
    Stage("read", MessageState.PARSED, _read),
    Stage("draft", MessageState.CLASSIFIED, _draft),
)
STAGE_BY_NAME = {stage.name: stage for stage in STAGES}


@dataclass
class StageResult:
    parsed: int = 0  # messages that went through the parse stage
    read: int = 0
    drafted: int = 0
    quarantined: int = 0


def _waiting_ids(session: Session, state: MessageState, limit: int) -> list[int]:
    """Ids of messages waiting in ``state``, oldest first. Claiming happens per message
    (FOR UPDATE SKIP LOCKED on PostgreSQL), so this list needs no lock."""
    query = (
        select(InboundMessage.id)
        .where(InboundMessage.state == state.value)
        .order_by(col(InboundMessage.id))
        .limit(limit)
    )
    return [message_id for message_id in session.exec(query).all() if message_id is not None]


def run_stage(engine: Engine, stage: Stage, given: StageInput, limit: int) -> tuple[int, int]:
    """Run one stage on up to ``limit`` waiting messages: (done, quarantined)."""
    with Session(engine) as session:
        ids = _waiting_ids(session, stage.waits_in, limit)
    done = failed = 0
    for message_id in ids:
        with message_context(f"in-{message_id}"):
            outcome = _run_one(engine, stage, message_id, given)
        done += outcome is True
        failed += outcome is False
    return done, failed


def _run_one(engine: Engine, stage: Stage, message_id: int, given: StageInput) -> bool | None:
    """True when the stage ran, False when the message was quarantined, None when another
    worker had it."""
    try:
        with session_scope(engine) as session:
            query = select(InboundMessage).where(
                InboundMessage.id == message_id, InboundMessage.state == stage.waits_in.value
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            message = session.exec(query).first()
            if message is None:  # another worker has it
                return None
            message.attempts += 1
            stage.run(session, message, given)
        return True
    except Exception as exc:
        reason = failure_reason(exc)
        log.warning("message quarantined in %s: %s", stage.name, reason)
        quarantine(engine, message_id, stage.name, reason)
        return False


def run_pipeline(
    engine: Engine,
    own_addresses: list[str],
    limit: int = 50,
    policy_path: Path | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> StageResult:
    """Every stage in order on up to ``limit`` waiting messages each.

    ``clock`` says what day it is (the worker runner passes the settings' clock)."""
    given = StageInput(
        own={address.lower() for address in own_addresses},
        today=clock.today(),
        policy_path=policy_path,
    )
    result = StageResult()
    counts = []
    for stage in STAGES:
        done, failed = run_stage(engine, stage, given, limit)
        counts.append(done)
        result.quarantined += failed
    result.parsed, result.read, result.drafted = counts
    return result


run_parse_stage = run_pipeline  # the name the runners and tests have called it by
