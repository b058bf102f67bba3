"""Read queries for the caseworker's screens. They take a session and never commit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from opkraevning.store.inbound import parsed_or_none
from opkraevning.store.models import (
    AgreementClaim,
    AuditEvent,
    Claim,
    Debtor,
    Hold,
    InboundMessage,
    Installment,
    InstallmentAgreement,
    LetterState,
    MessageState,
    OutboundLetter,
    Payment,
    ReminderLetter,
    ScheduledRun,
)

WAITING = (MessageState.NEEDS_REVIEW.value, MessageState.DRAFTED.value,
           MessageState.QUARANTINED.value)  # fmt: skip
OUTBOX_STATES = (
    LetterState.APPROVED.value,
    LetterState.SENDING.value,
    LetterState.SENT.value,
    LetterState.FAILED.value,
)


@dataclass
class InboxRow:
    message: InboundMessage
    intent: str
    debtor_name: str | None
    claim_types: list[str]
    draft: OutboundLetter | None


@dataclass
class Inbox:
    rows: list[InboxRow]
    by_state: Counter[str] = field(default_factory=Counter)
    by_intent: Counter[str] = field(default_factory=Counter)
    claim_types: list[str] = field(default_factory=list)


def _intent(message: InboundMessage) -> str:
    parsed = parsed_or_none(message) if message.parsed is not None else None
    if parsed is not None and parsed.reading is not None:
        return parsed.reading.intent
    return "quarantined" if message.error else "unknown"


def inbox(
    session: Session,
    *,
    intent: str = "",
    state: str = "",
    claim_type: str = "",
    limit: int = 200,
) -> Inbox:
    """Messages waiting for a person (a draft to review, a question, a failure), oldest first.

    The raw bytes (up to the SMTP size limit each) stay in the database: the list needs
    the headers and the reading, not the mail."""
    messages = session.exec(
        select(InboundMessage)
        .options(defer(InboundMessage.raw))  # type: ignore[arg-type]
        .where(col(InboundMessage.state).in_(WAITING))
        .order_by(col(InboundMessage.received_at), col(InboundMessage.id))
    ).all()
    ids = [m.id for m in messages]
    drafts: dict[int, OutboundLetter] = {}
    for letter in session.exec(
        select(OutboundLetter).where(
            col(OutboundLetter.inbound_message_id).in_(ids), OutboundLetter.kind == "reply"
        )
    ).all():
        assert letter.inbound_message_id is not None
        current = drafts.get(letter.inbound_message_id)
        if current is None or (letter.id or 0) > (current.id or 0):
            drafts[letter.inbound_message_id] = letter
    claim_ids = {claim_id for m in messages for claim_id in (m.claim_ids or [])}
    types = dict(
        session.exec(select(Claim.id, Claim.claim_type).where(col(Claim.id).in_(claim_ids))).all()
    )
    debtor_ids = {m.debtor_id for m in messages if m.debtor_id}
    names = dict(
        session.exec(select(Debtor.id, Debtor.name).where(col(Debtor.id).in_(debtor_ids))).all()
    )
    result = Inbox(rows=[])
    all_types: set[str] = set()
    for message in messages:
        row = InboxRow(
            message=message,
            intent=_intent(message),
            debtor_name=names.get(message.debtor_id or ""),
            claim_types=sorted({types[c] for c in (message.claim_ids or []) if c in types}),
            draft=drafts.get(message.id or 0),
        )
        all_types |= set(row.claim_types)
        result.by_state[message.state] += 1
        result.by_intent[row.intent] += 1
        if intent and row.intent != intent:
            continue
        if state and message.state != state:
            continue
        if claim_type and claim_type not in row.claim_types:
            continue
        if len(result.rows) < limit:
            result.rows.append(row)
    result.claim_types = sorted(all_types)
    return result


@dataclass
class ClaimLine:
    claim: Claim
    paid_ore: int
    remaining_ore: int
    reminders: int


def claim_lines(session: Session, debtor_id: str) -> list[ClaimLine]:
    claims = session.exec(
        select(Claim).where(Claim.debtor_id == debtor_id).order_by(col(Claim.due_on), col(Claim.id))
    ).all()
    ids = [claim.id for claim in claims]
    paid = dict(
        session.exec(
            select(Payment.claim_id, func.sum(Payment.amount_ore))
            .where(col(Payment.claim_id).in_(ids))
            .group_by(col(Payment.claim_id))
        ).all()
    )
    from opkraevning.store.models import ReminderLetterClaim

    reminded = dict(
        session.exec(
            select(ReminderLetterClaim.claim_id, func.count())
            .join(ReminderLetter, col(ReminderLetter.id) == ReminderLetterClaim.letter_id)
            .where(col(ReminderLetterClaim.claim_id).in_(ids))
            .where(col(ReminderLetter.released_on).is_not(None))
            .group_by(col(ReminderLetterClaim.claim_id))
        ).all()
    )
    return [
        ClaimLine(
            claim,
            int(paid.get(claim.id) or 0),
            max(0, claim.amount_ore - int(paid.get(claim.id) or 0)),
            int(reminded.get(claim.id) or 0),
        )
        for claim in claims
    ]


@dataclass
class AgreementView:
    agreement: InstallmentAgreement
    claim_ids: list[str]
    installments: list[Installment]


def agreements(session: Session, debtor_id: str) -> list[AgreementView]:
    rows = session.exec(
        select(InstallmentAgreement)
        .where(InstallmentAgreement.debtor_id == debtor_id)
        .order_by(col(InstallmentAgreement.id))
    ).all()
    views = []
    for agreement in rows:
        claim_ids = list(
            session.exec(
                select(AgreementClaim.claim_id).where(AgreementClaim.agreement_id == agreement.id)
            ).all()
        )
        installments = list(
            session.exec(
                select(Installment)
                .where(Installment.agreement_id == agreement.id)
                .order_by(col(Installment.number))
            ).all()
        )
        views.append(AgreementView(agreement, claim_ids, installments))
    return views


@dataclass
class DebtorHistory:
    debtor: Debtor
    claims: list[ClaimLine]
    messages: list[InboundMessage]
    letters: list[OutboundLetter]
    reminders: list[ReminderLetter]
    agreements: list[AgreementView]
    holds: list[Hold]
    audit: list[AuditEvent]


def debtor_history(session: Session, debtor_id: str) -> DebtorHistory | None:
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        return None
    messages = list(
        session.exec(
            select(InboundMessage)
            .options(defer(InboundMessage.raw))  # type: ignore[arg-type]
            .where(InboundMessage.debtor_id == debtor_id)
            .order_by(col(InboundMessage.received_at).desc())
        ).all()
    )
    letters = list(
        session.exec(
            select(OutboundLetter)
            .where(OutboundLetter.debtor_id == debtor_id)
            .order_by(col(OutboundLetter.id).desc())
        ).all()
    )
    reminders = list(
        session.exec(
            select(ReminderLetter)
            .where(ReminderLetter.debtor_id == debtor_id)
            .order_by(col(ReminderLetter.id).desc())
        ).all()
    )
    holds = list(
        session.exec(
            select(Hold).where(Hold.debtor_id == debtor_id).order_by(col(Hold.id).desc())
        ).all()
    )
    related = [("debtor", debtor_id)]
    related += [("inbound_message", str(m.id)) for m in messages]
    related += [("outbound_letter", str(letter.id)) for letter in letters]
    related += [("hold", str(hold.id)) for hold in holds]
    audit: list[AuditEvent] = []
    for entity_type in {kind for kind, _ in related}:
        ids = [entity_id for kind, entity_id in related if kind == entity_type]
        audit += session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == entity_type, col(AuditEvent.entity_id).in_(ids)
            )
        ).all()
    audit.sort(key=lambda event: (event.at, event.id or 0), reverse=True)
    return DebtorHistory(
        debtor,
        claim_lines(session, debtor_id),
        messages,
        letters,
        reminders,
        agreements(session, debtor_id),
        holds,
        audit[:500],
    )


def outbox(
    session: Session, state: str = "", limit: int = 200
) -> tuple[list[OutboundLetter], Counter[str]]:
    counts: Counter[str] = Counter(
        dict(
            session.exec(
                select(OutboundLetter.state, func.count())
                .where(col(OutboundLetter.state).in_(OUTBOX_STATES))
                .group_by(col(OutboundLetter.state))
            ).all()
        )
    )
    query = select(OutboundLetter).where(
        col(OutboundLetter.state).in_((state,) if state else OUTBOX_STATES)
    )
    rows = session.exec(query.order_by(col(OutboundLetter.id).desc()).limit(limit)).all()
    return list(rows), counts


def standalone_drafts(session: Session, limit: int = 200) -> list[OutboundLetter]:
    """Letters waiting for approval that belong to neither a message nor a run (e.g. the
    confirmation of an agreement a caseworker activated): reviewed in Udbakke."""
    return list(
        session.exec(
            select(OutboundLetter)
            .where(
                OutboundLetter.state == LetterState.NEEDS_REVIEW.value,
                col(OutboundLetter.inbound_message_id).is_(None),
                col(OutboundLetter.run_id).is_(None),
            )
            .order_by(col(OutboundLetter.id))
            .limit(limit)
        ).all()
    )


def runs(session: Session, limit: int = 20) -> list[ScheduledRun]:
    return list(
        session.exec(
            select(ScheduledRun).order_by(col(ScheduledRun.slot).desc()).limit(limit)
        ).all()
    )


def run_letters(
    session: Session, run_id: int, state: str = LetterState.NEEDS_REVIEW.value, limit: int = 500
) -> tuple[list[tuple[OutboundLetter, str]], Counter[str]]:
    counts: Counter[str] = Counter(
        dict(
            session.exec(
                select(OutboundLetter.state, func.count())
                .where(OutboundLetter.run_id == run_id)
                .group_by(col(OutboundLetter.state))
            ).all()
        )
    )
    rows = session.exec(
        select(OutboundLetter, Debtor.name)
        .join(Debtor, col(Debtor.id) == OutboundLetter.debtor_id)
        .where(OutboundLetter.run_id == run_id, OutboundLetter.state == state)
        .order_by(col(OutboundLetter.id))
        .limit(limit)
    ).all()
    return [(letter, name) for letter, name in rows], counts


def print_letters(session: Session, run_id: int) -> list[OutboundLetter]:
    """A run's approved (or sent) letters that go by post, in order: the print batch."""
    return list(
        session.exec(
            select(OutboundLetter)
            .where(
                OutboundLetter.run_id == run_id,
                OutboundLetter.channel == "print",
                col(OutboundLetter.state).in_((LetterState.APPROVED.value, LetterState.SENT.value)),
            )
            .order_by(col(OutboundLetter.id))
        ).all()
    )


def letters_of_message(session: Session, message_id: int) -> list[OutboundLetter]:
    return list(
        session.exec(
            select(OutboundLetter)
            .where(OutboundLetter.inbound_message_id == message_id)
            .order_by(col(OutboundLetter.id))
        ).all()
    )


def debtors_by_ids(session: Session, ids: list[str]) -> list[Debtor]:
    return list(session.exec(select(Debtor).where(col(Debtor.id).in_(ids))).all()) if ids else []


def jsonable_letter(letter: OutboundLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "kind": letter.kind,
        "state": letter.state,
        "channel": letter.channel,
        "recipient": letter.recipient,
        "debtor_id": letter.debtor_id,
        "subject": letter.subject,
        "body": letter.edited_body if letter.edited_body is not None else letter.body,
        "original_body": letter.body,
        "edited": letter.edited_body is not None,
        "template": letter.template,
        "template_version": letter.template_version,
        "legal_refs": letter.legal_refs or [],
        "approved_by": letter.approved_by,
        "rejected_reason": letter.rejected_reason,
        "last_error": letter.last_error,
        "run_id": letter.run_id,
        "inbound_message_id": letter.inbound_message_id,
    }
