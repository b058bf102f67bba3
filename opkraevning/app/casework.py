"""What a caseworker does: approve, edit, reject, hold, pick the debtor, release a
reminder batch, exclude a letter, retry a failed one, see a full CPR number.

Each action runs inside the caller's transaction, checks the state it expects (so a
double click or two caseworkers at once cannot approve twice), and writes the audit
log with who, what and why. The web pages and the JSON API call these same functions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from opkraevning.app.outbound import outbound_letter
from opkraevning.assistant.drafting.letter_context import claim_row, postal_channel
from opkraevning.domain.clock import Clock
from opkraevning.domain.outbound import (
    AgreementAction,
    HoldAction,
    InstallmentProposal,
    LetterTrace,
)
from opkraevning.store.audit import record
from opkraevning.store.models import (
    AgreementClaim,
    AgreementStatus,
    Claim,
    ClaimStatus,
    Debtor,
    Hold,
    HoldReason,
    InboundMessage,
    Installment,
    InstallmentAgreement,
    LetterState,
    MessageState,
    OutboundLetter,
    ReminderLetter,
    outcome_unknown,
)
from opkraevning.store.outbound import stored_trace
from opkraevning.store.types import utcnow

HOLD_REASONS = tuple(reason.value for reason in HoldReason)


class CaseworkError(ValueError):
    """The action does not fit the current state (shown to the caseworker in Danish)."""


def _letter(session: Session, letter_id: int, *states: str) -> OutboundLetter:
    letter = session.get(OutboundLetter, letter_id, with_for_update=True)
    if letter is None:
        raise CaseworkError("Brevet findes ikke.")
    if states and letter.state not in states:
        raise CaseworkError(f"Brevet er allerede {letter.state}; siden er måske forældet.")
    return letter


def _notices(session: Session, letter: OutboundLetter) -> list[OutboundLetter]:
    if letter.kind != "reply" or letter.inbound_message_id is None:
        return []
    rows = session.exec(
        select(OutboundLetter).where(
            OutboundLetter.inbound_message_id == letter.inbound_message_id,
            OutboundLetter.kind == "reply_notice",
        )
    ).all()
    return [row for row in rows if stored_trace(row).notice_for == letter.id]


def edit_letter(session: Session, letter_id: int, text: str, actor: str) -> OutboundLetter:
    """Keep the edit beside the original text; the outbox sends the edit."""
    letter = _letter(session, letter_id, LetterState.NEEDS_REVIEW.value, LetterState.DRAFT.value)
    text = text.replace("\r\n", "\n").strip() + "\n"
    if text == (letter.edited_body or letter.body):
        return letter
    letter.edited_body = text
    session.add(letter)
    record(
        session,
        actor,
        "letter.edited",
        "outbound_letter",
        str(letter.id),
        {"chars_before": len(letter.body), "chars_after": len(text)},
    )
    return letter


def approve_letter(
    session: Session, letter_id: int, actor: str, edited_text: str | None = None, *, clock: Clock
) -> OutboundLetter:
    """Approve a draft (and its email notice); apply the actions it proposed."""
    letter = _letter(session, letter_id, LetterState.NEEDS_REVIEW.value, LetterState.DRAFT.value)
    if edited_text is not None:
        edit_letter(session, letter_id, edited_text, actor)
    now = utcnow()
    for item in [letter, *_notices(session, letter)]:
        item.state = LetterState.APPROVED.value
        item.approved_by, item.approved_at = actor, now
        session.add(item)
        record(
            session,
            actor,
            "letter.approved",
            "outbound_letter",
            str(item.id),
            {"kind": item.kind, "channel": item.channel, "edited": item.edited_body is not None},
        )
    if letter.kind == "reply":
        _apply_actions(session, letter, actor)
    if letter.kind in ("reminder", "breach_reminder"):
        _release_reminders(session, [letter], actor, clock.today())
    if letter.inbound_message_id is not None:
        message = session.get(InboundMessage, letter.inbound_message_id)
        if message is not None:
            message.state = MessageState.DONE.value
            message.updated_at = now
            session.add(message)
    return letter


def reject_letter(session: Session, letter_id: int, reason: str, actor: str) -> OutboundLetter:
    """Reject a draft with a reason; its message goes back to a person."""
    reason = reason.strip()
    if not reason:
        raise CaseworkError("Skriv en begrundelse for at afvise brevet.")
    letter = _letter(session, letter_id, LetterState.NEEDS_REVIEW.value, LetterState.DRAFT.value)
    for item in [letter, *_notices(session, letter)]:
        item.state = LetterState.REJECTED.value
        item.rejected_reason = reason
        session.add(item)
        record(
            session,
            actor,
            "letter.rejected",
            "outbound_letter",
            str(item.id),
            {"kind": item.kind},
            reason=reason,
        )
    if letter.inbound_message_id is not None:
        message = session.get(InboundMessage, letter.inbound_message_id)
        if message is not None and message.state != MessageState.DONE.value:
            message.state = MessageState.NEEDS_REVIEW.value
            session.add(message)
    return letter


def exclude_run_letter(session: Session, letter_id: int, reason: str, actor: str) -> OutboundLetter:
    """Leave one reminder out of the batch (it is never released, so it counts for nothing)."""
    letter = _letter(session, letter_id, LetterState.NEEDS_REVIEW.value)
    if letter.run_id is None:
        raise CaseworkError("Kun breve fra en rykkerkørsel kan udelukkes.")
    reason = reason.strip()
    if not reason:
        raise CaseworkError("Skriv en begrundelse for at udelukke brevet.")
    letter.state = LetterState.REJECTED.value
    letter.rejected_reason = reason
    session.add(letter)
    record(
        session,
        actor,
        "letter.excluded",
        "outbound_letter",
        str(letter.id),
        {"run_id": letter.run_id, "debtor_id": letter.debtor_id},
        reason=reason,
    )
    return letter


def approve_run_batch(
    session: Session, run_id: int, actor: str, letter_ids: list[int] | None = None, *, clock: Clock
) -> int:
    """Approve every waiting letter of a run (or the chosen ones): released today."""
    query = select(OutboundLetter).where(
        OutboundLetter.run_id == run_id, OutboundLetter.state == LetterState.NEEDS_REVIEW.value
    )
    if letter_ids is not None:
        query = query.where(col(OutboundLetter.id).in_(letter_ids))
    letters = list(session.exec(query.with_for_update()).all())
    now = utcnow()
    for letter in letters:
        letter.state = LetterState.APPROVED.value
        letter.approved_by, letter.approved_at = actor, now
        session.add(letter)
    _release_reminders(session, letters, actor, clock.today())
    record(
        session,
        actor,
        "run.batch_approved",
        "scheduled_run",
        str(run_id),
        {"letters": len(letters)},
    )
    return len(letters)


def _release_reminders(
    session: Session, letters: list[OutboundLetter], actor: str, today: date
) -> None:
    """A reminder counts as sent the day it is released; its fee is booked then."""
    from opkraevning.app.reminder.run import release_letters

    ids = [letter.id for letter in letters if letter.id is not None]
    if not ids:
        return
    reminder_ids = [
        reminder_id
        for reminder_id in session.exec(
            select(ReminderLetter.id).where(col(ReminderLetter.outbound_letter_id).in_(ids))
        ).all()
        if reminder_id is not None
    ]
    session.flush()
    release_letters(session.connection(), reminder_ids, today, actor)


def retry_letter(
    session: Session, letter_id: int, actor: str, confirmed: bool = False
) -> OutboundLetter:
    """Send a failed letter again. When the outbox could not tell whether it left (it
    stopped mid-send and has no sent folder to look in), it may already have been
    delivered: then only with ``confirmed``, and the audit says so."""
    letter = _letter(session, letter_id, LetterState.FAILED.value)
    unknown = outcome_unknown(letter)
    if unknown and not confirmed:
        raise CaseworkError(
            "Brevet er måske allerede leveret: afsendelsen blev afbrudt, og det kan ikke ses, "
            "om det nåede frem. Tjek det, og bekræft, før det sendes igen."
        )
    letter.state = LetterState.APPROVED.value
    letter.attempts = 0
    letter.next_attempt_at = None
    session.add(letter)
    record(
        session,
        actor,
        "letter.retry",
        "outbound_letter",
        str(letter.id),
        {"last_error": (letter.last_error or "")[:300], "outcome_unknown": unknown},
        reason="confirmed: may already have been delivered" if unknown else None,
    )
    return letter


def hold_claims(
    session: Session,
    debtor_id: str,
    claim_ids: list[str],
    reason: str,
    actor: str,
    until: date | None = None,
    note: str = "",
) -> list[Hold]:
    """Stop reminders on the claims (or, with no claims, on the debtor) with a reason."""
    if reason not in HOLD_REASONS:
        raise CaseworkError(f"Ukendt årsag til pause: {reason}")
    if session.get(Debtor, debtor_id) is None:
        raise CaseworkError("Skyldneren findes ikke.")
    holds = [
        Hold(
            debtor_id=debtor_id,
            claim_id=claim_id,
            reason=reason,
            until=until,
            note=note,
            created_by=actor,
        )
        for claim_id in (claim_ids or [None])  # type: ignore[list-item]
    ]
    for hold in holds:
        session.add(hold)
    session.flush()
    for hold in holds:
        record(
            session,
            actor,
            "hold.created",
            "hold",
            str(hold.id),
            {
                "debtor_id": debtor_id,
                "claim_id": hold.claim_id,
                "reason": reason,
                "until": until.isoformat() if until else None,
            },
            reason=note or None,
        )
    return holds


def _apply_actions(session: Session, letter: OutboundLetter, actor: str) -> None:
    try:
        trace = stored_trace(letter)
    except ValueError:  # a stored trace that does not validate: nothing is guessed
        raise CaseworkError(
            "Udkastets forslag kan ikke læses. Afvis det, og lav et nyt udkast."
        ) from None
    for action in trace.actions:
        if isinstance(action, HoldAction) and letter.debtor_id:
            hold_claims(
                session,
                letter.debtor_id,
                list(action.claim_ids),
                action.reason,
                actor,
                action.until,
                note=f"godkendt svar {letter.id}",
            )
        elif isinstance(action, AgreementAction) and letter.debtor_id:
            proposal = trace.proposal
            if isinstance(proposal, InstallmentProposal):
                _create_agreement(session, letter, proposal, actor)


def _create_agreement(
    session: Session, letter: OutboundLetter, proposal: InstallmentProposal, actor: str
) -> None:
    """An accepted offer becomes an active agreement; a counter-proposal a proposed one
    (active when the citizen says yes)."""
    schedule = proposal.schedule
    if not schedule or letter.debtor_id is None or proposal.monthly_ore is None:
        return
    active = proposal.decision == "accept"
    agreement = InstallmentAgreement(
        debtor_id=letter.debtor_id,
        status=(AgreementStatus.ACTIVE if active else AgreementStatus.PROPOSED).value,
        monthly_amount_ore=proposal.monthly_ore,
        first_due_on=schedule[0].due_on,
        policy_version=letter.policy_version,
        created_by=actor,
    )
    session.add(agreement)
    session.flush()
    assert agreement.id is not None
    claim_ids = [claim.id for claim in proposal.claims]
    for claim_id in claim_ids:
        session.add(AgreementClaim(agreement_id=agreement.id, claim_id=claim_id))
    for item in schedule:
        session.add(
            Installment(
                agreement_id=agreement.id,
                number=item.number,
                due_on=item.due_on,
                amount_ore=item.amount_ore,
            )
        )
    if active and claim_ids:
        session.execute(
            update(Claim)
            .where(col(Claim.id).in_(claim_ids), col(Claim.status) == ClaimStatus.OPEN.value)
            .values(status=ClaimStatus.IN_AGREEMENT.value, updated_at=utcnow())
        )
    record(
        session,
        actor,
        "agreement.created",
        "installment_agreement",
        str(agreement.id),
        {
            "status": agreement.status,
            "monthly_ore": agreement.monthly_amount_ore,
            "claims": claim_ids,
            "letter_id": letter.id,
        },
    )


def assign_debtor(
    session: Session,
    message_id: int,
    debtor_id: str,
    actor: str,
    today: date,
    policy_path: Path | None = None,
) -> None:
    """A caseworker says who wrote: the open drafts are replaced by a new one."""
    from opkraevning.app.pipeline import draft_stage, stored_parsed, stored_reading

    message = session.get(InboundMessage, message_id, with_for_update=True)
    if message is None or message.parsed is None:
        raise CaseworkError("Henvendelsen findes ikke.")
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise CaseworkError("Skyldneren findes ikke.")
    sender = (message.from_address or "").lower()
    reading = stored_reading(message).model_copy(
        update={
            "debtor_id": debtor_id,
            "verified_sender": bool(debtor.email and sender == debtor.email.lower()),
            "match_reason": f"valgt af {actor}",
        }
    )
    for letter in session.exec(
        select(OutboundLetter).where(
            OutboundLetter.inbound_message_id == message_id,
            col(OutboundLetter.state).in_(
                (LetterState.NEEDS_REVIEW.value, LetterState.DRAFT.value)
            ),
        )
    ).all():
        letter.state, letter.rejected_reason = LetterState.REJECTED.value, "ny skyldner valgt"
        session.add(letter)
    message.debtor_id = debtor_id
    message.parsed = stored_parsed(message).model_copy(update={"reading": reading}).to_json()
    message.state = MessageState.CLASSIFIED.value
    session.add(message)
    record(
        session,
        actor,
        "message.debtor_assigned",
        "inbound_message",
        str(message_id),
        {"debtor_id": debtor_id},
    )
    draft_stage(session, message, reading, today, policy_path)


def record_udlaeg(session: Session, claim_id: str, day: date, actor: str, note: str = "") -> Claim:
    """The pantefoged levied udlæg for the claim on ``day`` (forældelsesloven § 18, stk. 2):
    forældelse runs from then."""
    claim = session.get(Claim, claim_id, with_for_update=True)
    if claim is None:
        raise CaseworkError("Kravet findes ikke.")
    if claim.udlaeg_on is not None and claim.udlaeg_on >= day:
        raise CaseworkError("Der er allerede registreret et udlæg samme dag eller senere.")
    claim.udlaeg_on = day
    claim.updated_at = utcnow()
    session.add(claim)
    record(
        session,
        actor,
        "claim.udlaeg_recorded",
        "claim",
        claim_id,
        {"udlaeg_on": day.isoformat()},
        reason=note or None,
    )
    return claim


def activate_agreement(
    session: Session,
    agreement_id: int,
    actor: str,
    policy_path: Path | None = None,
    *,
    clock: Clock,
) -> OutboundLetter:
    """The citizen said yes to a proposed agreement: it becomes active, its claims are in
    agreement, and a confirmation letter with the schedule is drafted for review."""
    from opkraevning.assistant.drafting.run_letters import render_agreement
    from opkraevning.assistant.policy.model import policy_for
    from opkraevning.assistant.proposals.installments import ScheduledInstallment
    from opkraevning.store.register_lookup import SqlRegister

    agreement = session.get(InstallmentAgreement, agreement_id, with_for_update=True)
    if agreement is None:
        raise CaseworkError("Aftalen findes ikke.")
    if agreement.status != AgreementStatus.PROPOSED.value:
        raise CaseworkError(f"Aftalen er {agreement.status}, ikke foreslået.")
    claim_ids = list(
        session.exec(
            select(AgreementClaim.claim_id).where(AgreementClaim.agreement_id == agreement_id)
        ).all()
    )
    installments = session.exec(
        select(Installment)
        .where(Installment.agreement_id == agreement_id)
        .order_by(col(Installment.number))
    ).all()
    agreement.status = AgreementStatus.ACTIVE.value
    session.add(agreement)
    session.execute(
        update(Claim)
        .where(col(Claim.id).in_(claim_ids), col(Claim.status) == ClaimStatus.OPEN.value)
        .values(status=ClaimStatus.IN_AGREEMENT.value, updated_at=utcnow())
    )
    register = SqlRegister(session)
    debtor = register.debtor(agreement.debtor_id)
    assert debtor is not None
    rows = [claim_row(c) for c in register.claims_of(agreement.debtor_id) if c.id in claim_ids]
    schedule = [
        ScheduledInstallment(item.number, item.due_on, item.amount_ore, 0) for item in installments
    ]
    policy = policy_for(clock.today(), policy_path)
    rendered = render_agreement(debtor, rows, schedule, policy, today=clock.today())
    letter = outbound_letter(
        rendered,
        debtor_id=agreement.debtor_id,
        kind="agreement_confirmation",
        state=LetterState.NEEDS_REVIEW.value,
        channel=postal_channel(debtor),
        policy_version=policy.version,
        trace=LetterTrace(agreement_id=agreement_id).to_json(),
    )
    session.add(letter)
    session.flush()
    record(
        session,
        actor,
        "agreement.activated",
        "installment_agreement",
        str(agreement_id),
        {"claims": claim_ids, "letter_id": letter.id},
    )
    return letter


def mark_transferred(
    session: Session,
    claim_ids: list[str],
    actor: str,
    policy_path: Path | None = None,
    *,
    clock: Clock,
) -> list[OutboundLetter]:
    """The claims were handed to Gældsstyrelsen (the export is uploaded there by a person):
    they and their fee and interest lines become ``transferred``, and each debtor gets a
    drafted notice of transfer for review."""
    from opkraevning.assistant.drafting.run_letters import render_transfer_notice
    from opkraevning.assistant.policy.model import policy_for
    from opkraevning.store.register_lookup import SqlRegister

    if not claim_ids:
        raise CaseworkError("Vælg de krav, der er sendt til Gældsstyrelsen.")
    claims = session.exec(select(Claim).where(col(Claim.id).in_(claim_ids)).with_for_update()).all()
    found = {claim.id: claim for claim in claims}
    for claim_id in claim_ids:
        claim = found.get(claim_id)
        if claim is None or claim.line != "principal":
            raise CaseworkError(f"{claim_id} er ikke et hovedkrav.")
        if claim.status not in (ClaimStatus.OPEN.value, ClaimStatus.IN_AGREEMENT.value):
            raise CaseworkError(f"{claim_id} er {claim.status} og kan ikke sendes.")
    now = utcnow()
    session.execute(
        update(Claim)
        .where(
            (col(Claim.id).in_(claim_ids)) | (col(Claim.parent_claim_id).in_(claim_ids)),
            col(Claim.status).in_((ClaimStatus.OPEN.value, ClaimStatus.IN_AGREEMENT.value)),
        )
        .values(status=ClaimStatus.TRANSFERRED.value, updated_at=now)
    )
    day = clock.today()
    policy = policy_for(day, policy_path)
    register = SqlRegister(session)
    letters = []
    for debtor_id in sorted({found[claim_id].debtor_id for claim_id in claim_ids}):
        debtor = register.debtor(debtor_id)
        assert debtor is not None
        # with the fee and interest lines: the notice states the true total (issue 12)
        mine = [
            c
            for c in register.claims_of(debtor_id)
            if c.id in found or (c.parent_claim_id in found and c.remaining_ore > 0)
        ]
        rendered = render_transfer_notice(debtor, [claim_row(c) for c in mine], day, policy)
        letter = outbound_letter(
            rendered,
            debtor_id=debtor_id,
            kind="transfer_notice",
            state=LetterState.NEEDS_REVIEW.value,
            channel=postal_channel(debtor),
            policy_version=policy.version,
            trace=LetterTrace(claim_ids=[c.id for c in mine]).to_json(),
        )
        session.add(letter)
        letters.append(letter)
    session.flush()
    for claim_id in claim_ids:
        record(
            session,
            actor,
            "claim.transferred",
            "claim",
            claim_id,
            {"debtor_id": found[claim_id].debtor_id},
        )
    return letters


def view_cpr(session: Session, debtor_id: str, actor: str) -> str | None:
    """The full CPR number; seeing it is itself logged."""
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise CaseworkError("Skyldneren findes ikke.")
    record(session, actor, "debtor.cpr_viewed", "debtor", debtor_id)
    return debtor.cpr


def log_view(session: Session, actor: str, entity_type: str, entity_id: str) -> None:
    record(session, actor, f"{entity_type}.viewed", entity_type, entity_id)
