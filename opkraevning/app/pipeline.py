"""The pipeline runner: moves stored messages through the stages, one transaction each.

The parse stage reads the raw bytes (mail or MeMo), splits the new text from the
history, recognises machines (auto-replies, bounces), links replies to our
letters and marks bounced addresses undeliverable; the read stage then finds the
debtor, the claims, the intents and the offer. A message that fails a stage is
kept with its error in the ``quarantined`` state; the pipeline goes on.

On PostgreSQL several workers share the work (``FOR UPDATE SKIP LOCKED``); on
SQLite one worker does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from opkraevning.app.outbound import outbound_letter
from opkraevning.assistant.drafting.reply_drafts import Draft, Inquiry, draft_reply
from opkraevning.assistant.parse.autoreply import classify_machine_mail
from opkraevning.assistant.parse.mime import parse_mail
from opkraevning.assistant.parse.reply_split import split_reply
from opkraevning.assistant.parse.thread_links import (
    LetterRef,
    ThreadLink,
    candidate_message_ids,
    judge,
    subject_letter_ids,
)
from opkraevning.assistant.policy.model import policy_for
from opkraevning.assistant.read.reading import Reading, read_message
from opkraevning.domain.clock import SYSTEM_CLOCK, Clock
from opkraevning.logs import message_context
from opkraevning.mailbox.formats.memo import MemoError, parse_memo
from opkraevning.store.audit import record
from opkraevning.store.db import session_scope
from opkraevning.store.models import (
    Channel,
    Debtor,
    InboundMessage,
    LetterState,
    MessageState,
    OutboundLetter,
)
from opkraevning.store.register_lookup import SqlRegister
from opkraevning.store.types import utcnow

log = logging.getLogger(__name__)


def _letter_ref(session: Session, letter: OutboundLetter) -> LetterRef:
    debtor = session.get(Debtor, letter.debtor_id) if letter.debtor_id else None
    ids = tuple(value for value in (debtor.cpr, debtor.cvr) if value) if debtor else ()
    assert letter.id is not None
    return LetterRef(
        id=letter.id,
        message_id=letter.message_id,
        recipient=letter.recipient,
        debtor_id=letter.debtor_id,
        debtor_email=debtor.email if debtor else None,
        debtor_ids=ids,
    )


def find_thread(
    session: Session,
    *,
    message_ids: list[tuple[str, str]],
    subject: str,
    sender_address: str | None,
    sender_id: str | None = None,
) -> ThreadLink | None:
    """The letter this message answers, judged by whether the sender fits."""
    for via, message_id in message_ids:
        letter = session.exec(
            select(OutboundLetter).where(OutboundLetter.message_id == message_id)
        ).first()
        if letter is not None:
            return judge(_letter_ref(session, letter), via, sender_address, sender_id)
    for letter_id in subject_letter_ids(subject):
        letter = session.get(OutboundLetter, letter_id)
        if letter is not None:
            return judge(_letter_ref(session, letter), "subject-token", sender_address, sender_id)
    return None


def _parse_mail_message(session: Session, message: InboundMessage, own: set[str]) -> dict[str, Any]:
    parsed = parse_mail(message.raw)
    reply = split_reply(parsed.text)
    machine = classify_machine_mail(message.raw, own)
    link = find_thread(
        session,
        message_ids=candidate_message_ids(parsed.in_reply_to, parsed.references),
        subject=parsed.subject,
        sender_address=parsed.from_address,
    )
    message.from_address = parsed.from_address
    message.subject = parsed.subject
    if machine.is_bounce:
        _mark_undeliverable(session, machine.failed_recipients, message)
    return {
        "kind": "mail",
        "mail": parsed.to_json(),
        "new_text": reply.new_text,
        "body": reply.body,
        "signoff": reply.signoff,
        "quoted": reply.quoted,
        "machine": {
            "kind": machine.kind,
            "reasons": machine.reasons,
            "failed_recipients": machine.failed_recipients,
            "statuses": machine.statuses,
        },
        "thread": link.to_json() if link else None,
    }


def _parse_memo_message(session: Session, message: InboundMessage) -> dict[str, Any]:
    memo = parse_memo(message.raw)
    reply = split_reply(memo.text)
    link = find_thread(
        session,
        message_ids=[("memo-reply", ref.message_uuid) for ref in memo.replies_to],
        subject=memo.label,
        sender_address=None,
        sender_id=memo.sender_id,
    )
    message.subject = memo.label
    return {
        "kind": "memo",
        "memo": memo.to_json(),
        "new_text": reply.new_text,
        "body": reply.body,
        "signoff": reply.signoff,
        "quoted": reply.quoted,
        "machine": {"kind": "human", "reasons": [], "failed_recipients": [], "statuses": []},
        "thread": link.to_json() if link else None,
    }


def _mark_undeliverable(session: Session, addresses: list[str], message: InboundMessage) -> None:
    for address in addresses:
        debtors = session.exec(
            select(Debtor).where(func.lower(Debtor.email) == address.lower())
        ).all()
        for debtor in debtors:
            if debtor.email_undeliverable_at is None:
                debtor.email_undeliverable_at = utcnow()
                session.add(debtor)
                record(
                    session,
                    "pipeline",
                    "debtor.email_undeliverable",
                    "debtor",
                    debtor.id,
                    {"email": address, "inbound_message_id": message.id},
                    reason="bounce",
                )


def parse_message(session: Session, message: InboundMessage, own: set[str]) -> None:
    """Run the parse stage on one message inside the caller's transaction."""
    if message.channel == Channel.DIGITAL_POST.value:
        parsed = _parse_memo_message(session, message)
    else:
        parsed = _parse_mail_message(session, message, own)
    message.parsed = parsed
    message.state = MessageState.PARSED.value
    message.error = None
    message.updated_at = utcnow()
    session.add(message)


def read_stage(session: Session, message: InboundMessage, today: date) -> Reading:
    """Match, claims, intents and offer for a parsed message (inside the caller's transaction).

    A message nobody could be matched to goes to ``needs_review`` (unless it is machine
    mail); the rest is ``classified`` and waits for the drafting stage.
    """
    assert message.parsed is not None
    reading = read_message(SqlRegister(session), message.parsed, message.raw, today)
    message.parsed = {**message.parsed, "reading": reading.to_json()}
    message.debtor_id = reading.debtor_id
    message.claim_ids = reading.claim_ids
    machine = reading.auto_reply or reading.bounce
    if reading.debtor_id is None and not machine:
        message.state = MessageState.NEEDS_REVIEW.value
    else:
        message.state = MessageState.CLASSIFIED.value
    message.updated_at = utcnow()
    session.add(message)
    return reading


def _inquiry(message: InboundMessage) -> Inquiry:
    parsed = message.parsed or {}
    if parsed.get("kind") == "memo":
        memo = parsed.get("memo") or {}
        return Inquiry("digital_post", None, memo.get("sender_label"))
    mail = parsed.get("mail") or {}
    return Inquiry("email", mail.get("from_address"), mail.get("from_name"))


def draft_stage(
    session: Session,
    message: InboundMessage,
    reading: Reading,
    today: date,
    policy_path: Path | None = None,
) -> Draft | None:
    """Draft the reply (inside the caller's transaction) and store it for review.

    With a draft the message is ``drafted``; machine mail needs nothing (``done``);
    a human message that gets no automatic reply waits for a person (``needs_review``).
    """
    policy = policy_for(today, policy_path)
    register = SqlRegister(session)
    debtor = register.debtor(reading.debtor_id) if reading.debtor_id else None
    claims = register.claims_of(reading.debtor_id) if reading.debtor_id else []
    draft = draft_reply(reading, _inquiry(message), debtor, claims, policy, today)
    if draft is None:
        if reading.auto_reply or reading.bounce:
            message.state = MessageState.DONE.value
        else:
            message.state = MessageState.NEEDS_REVIEW.value
        session.add(message)
        return None
    letter = outbound_letter(
        draft.letter,
        inbound_message_id=message.id,
        debtor_id=reading.debtor_id,
        kind="reply",
        state=LetterState.NEEDS_REVIEW.value,
        channel=draft.channel,
        recipient=draft.recipient,
        policy_version=policy.version,
        trace={
            "situation": draft.situation,
            "actions": draft.actions,
            "proposal": draft.proposal,
            "reasons": draft.reasons,
        },
    )
    session.add(letter)
    session.flush()
    if draft.notice is not None:
        session.add(
            outbound_letter(
                draft.notice,
                inbound_message_id=message.id,
                debtor_id=reading.debtor_id,
                kind="reply_notice",
                state=LetterState.NEEDS_REVIEW.value,
                channel="email",
                recipient=draft.notice_recipient,
                policy_version=policy.version,
                trace={"notice_for": letter.id},
            )
        )
    if message.state == MessageState.CLASSIFIED.value:
        message.state = MessageState.DRAFTED.value
    session.add(message)
    return draft


def _waiting_ids(session: Session, limit: int) -> list[int]:
    """Ids of received messages, oldest first. Claiming happens per message below
    (FOR UPDATE SKIP LOCKED on PostgreSQL), so this list needs no lock."""
    query = (
        select(InboundMessage.id)
        .where(InboundMessage.state == MessageState.RECEIVED.value)
        .order_by(col(InboundMessage.id))
        .limit(limit)
    )
    return [message_id for message_id in session.exec(query).all() if message_id is not None]


@dataclass
class StageResult:
    parsed: int = 0
    quarantined: int = 0


def run_parse_stage(
    engine: Engine,
    own_addresses: list[str],
    limit: int = 50,
    policy_path: Path | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> StageResult:
    """Parse, read and draft up to ``limit`` received messages; each in its own transaction.

    ``clock`` says what day it is (the worker runner passes the settings' clock)."""
    own = {address.lower() for address in own_addresses}
    result = StageResult()
    with Session(engine) as session:
        ids = _waiting_ids(session, limit)
    for message_id in ids:
        with message_context(f"in-{message_id}"):
            _parse_one(engine, message_id, own, policy_path, result, clock)
    return result


def _parse_one(
    engine: Engine,
    message_id: int,
    own: set[str],
    policy_path: Path | None,
    result: StageResult,
    clock: Clock,
) -> None:
    """Parse, read and draft one message in one transaction; quarantine it on failure."""
    try:
        with session_scope(engine) as session:
            query = select(InboundMessage).where(
                InboundMessage.id == message_id,
                InboundMessage.state == MessageState.RECEIVED.value,
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            message = session.exec(query).first()
            if message is None:  # another worker has it
                return
            message.attempts += 1
            parse_message(session, message, own)
            today = clock.today()
            reading = read_stage(session, message, today)
            draft = draft_stage(session, message, reading, today, policy_path)
            state = message.state
        log.info(
            "message read: state %s, intent %s, draft %s",
            state,
            reading.intent,
            draft.situation if draft else "none",
        )
        result.parsed += 1
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, MemoError) else str(exc)
        log.warning("message quarantined in parse: %s", reason)
        _quarantine(engine, message_id, "parse", reason)
        result.quarantined += 1


def _quarantine(engine: Engine, message_id: int | None, stage: str, reason: str) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(InboundMessage)
            .where(col(InboundMessage.id) == message_id)
            .values(
                state=MessageState.QUARANTINED.value,
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
