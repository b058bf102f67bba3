"""The draft stage: the reading → a reply for a caseworker to approve.

Runs inside the caller's transaction. With a draft the message is ``drafted`` (or
``needs_review`` when nobody could be matched: the draft discloses nothing and a
person decides); machine mail needs nothing (``done``); a human message that gets
no automatic reply waits for a person (``needs_review``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from opkraevning.app.outbound import outbound_letter
from opkraevning.assistant.drafting.reply_drafts import Draft, Inquiry, draft_reply
from opkraevning.assistant.policy.model import policy_for
from opkraevning.domain.inbound import Reading
from opkraevning.domain.outbound import LetterTrace
from opkraevning.store.inbound import stored_parsed
from opkraevning.store.models import InboundMessage, LetterState, MessageState
from opkraevning.store.register_lookup import SqlRegister
from opkraevning.store.types import utcnow


def _inquiry(message: InboundMessage) -> Inquiry:
    parsed = stored_parsed(message)
    channel = "digital_post" if parsed.kind == "memo" else "email"
    return Inquiry(channel, parsed.sender_address, parsed.sender_name, str(message.id))


def _final_state(reading: Reading, draft: Draft | None) -> MessageState:
    machine = reading.auto_reply or reading.bounce
    if draft is None:
        return MessageState.DONE if machine else MessageState.NEEDS_REVIEW
    if reading.debtor_id is None and not machine:
        return MessageState.NEEDS_REVIEW  # nobody matched: a person decides who wrote
    return MessageState.DRAFTED


def draft_stage(
    session: Session,
    message: InboundMessage,
    reading: Reading,
    today: date,
    policy_path: Path | None = None,
) -> Draft | None:
    """Draft the reply (inside the caller's transaction) and store it for review."""
    policy = policy_for(today, policy_path)
    register = SqlRegister(session)
    debtor = register.debtor(reading.debtor_id) if reading.debtor_id else None
    claims = register.claims_of(reading.debtor_id) if reading.debtor_id else []
    draft = draft_reply(reading, _inquiry(message), debtor, claims, policy, today)
    message.state = _final_state(reading, draft).value
    message.updated_at = utcnow()
    session.add(message)
    if draft is None:
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
        trace=draft.trace().to_json(),
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
                trace=LetterTrace(notice_for=letter.id).to_json(),
            )
        )
    return draft
