"""The parse stage: raw bytes (mail or MeMo) → the parsed message.

Splits the new text from the history, recognises machines (auto-replies, bounces),
links replies to our letters and marks bounced addresses undeliverable. Runs inside
the caller's transaction; the message ends in ``parsed``.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

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
from opkraevning.domain.inbound import (
    MachineVerdict,
    MailFacts,
    MemoFacts,
    ParsedMessage,
    ThreadRef,
)
from opkraevning.mailbox.formats.memo import parse_memo
from opkraevning.store.audit import record
from opkraevning.store.models import (
    Channel,
    Debtor,
    InboundMessage,
    MessageState,
    OutboundLetter,
)
from opkraevning.store.types import utcnow


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


def _thread(link: ThreadLink | None) -> ThreadRef | None:
    return ThreadRef.model_validate(link.to_json()) if link else None


def _parse_mail_message(session: Session, message: InboundMessage, own: set[str]) -> ParsedMessage:
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
    return ParsedMessage(
        kind="mail",
        mail=MailFacts.model_validate(parsed.to_json()),
        new_text=reply.new_text,
        body=reply.body,
        signoff=reply.signoff,
        quoted=reply.quoted,
        machine=MachineVerdict.model_validate(
            {
                "kind": machine.kind,
                "reasons": machine.reasons,
                "failed_recipients": machine.failed_recipients,
                "statuses": machine.statuses,
            }
        ),
        thread=_thread(link),
    )


def _parse_memo_message(session: Session, message: InboundMessage) -> ParsedMessage:
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
    return ParsedMessage(
        kind="memo",
        memo=MemoFacts.model_validate(memo.to_json()),
        new_text=reply.new_text,
        body=reply.body,
        signoff=reply.signoff,
        quoted=reply.quoted,
        thread=_thread(link),
    )


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
    message.parsed = parsed.to_json()
    message.state = MessageState.PARSED.value
    message.error = None
    message.updated_at = utcnow()
    session.add(message)
