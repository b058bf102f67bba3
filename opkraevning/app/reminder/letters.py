"""Turn a recorded reminder run's letters into outbound letters (text for the outbox).

Each ``reminder_letter`` without an ``outbound_letter`` gets one: rendered with the
policy the run used, by Digital Post when the debtor has a CPR/CVR number (else by
post, ``print``). A letter the run released (policy: breach reminders go out
automatically) is ``approved`` for the outbox at once; the rest wait for a
caseworker's batch approval (``needs_review``). Idempotent: run it twice, nothing new;
cut off half-way, a second call (or the scheduler's next tick, ``draft_unfinished``)
drafts the rest, and two processes at once never draft one letter twice.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from opkraevning.app.outbound import outbound_letter
from opkraevning.app.reminder.outcome import LetterEntry
from opkraevning.assistant.drafting.letter_context import claim_row, postal_channel
from opkraevning.assistant.drafting.run_letters import MissedInstallment, render_reminder
from opkraevning.assistant.policy.model import Policy, policy_for
from opkraevning.assistant.rules.engine import read_trace
from opkraevning.domain.outbound import LetterTrace
from opkraevning.store.audit import record
from opkraevning.store.db import session_scope
from opkraevning.store.models import (
    AgreementClaim,
    Installment,
    InstallmentAgreement,
    LetterState,
    ReminderLetter,
    ReminderLetterClaim,
    RunState,
    ScheduledRun,
)
from opkraevning.store.register_lookup import SqlRegister

BATCH = 500


def _missed(session: Session, claim_ids: list[str], day: date) -> MissedInstallment | None:
    """The earliest installment not paid in full, of the agreement covering the claims."""
    agreement_ids = session.exec(
        select(AgreementClaim.agreement_id).where(col(AgreementClaim.claim_id).in_(claim_ids))
    ).all()
    if not agreement_ids:
        return None
    row = session.exec(
        select(Installment)
        .join(InstallmentAgreement, col(InstallmentAgreement.id) == Installment.agreement_id)
        .where(col(Installment.agreement_id).in_(agreement_ids))
        .where(col(Installment.paid_ore) < col(Installment.amount_ore))
        .where(col(Installment.due_on) <= day)
        .order_by(col(Installment.due_on))
    ).first()
    return MissedInstallment(row.due_on, row.amount_ore - row.paid_ore) if row else None


def draft_run_letters(engine: Engine, run_id: int, policy_path: Path | None = None) -> int:
    """Create the outbound letters of run ``run_id``; returns how many were created."""
    with Session(engine) as session:
        run = session.get(ScheduledRun, run_id)
        if run is None:
            raise ValueError(f"no reminder run {run_id}")
        day = date.fromisoformat(run.slot)
        pending = [
            letter_id
            for letter_id in session.exec(
                select(ReminderLetter.id)
                .where(ReminderLetter.run_id == run_id)
                .where(col(ReminderLetter.outbound_letter_id).is_(None))
                .order_by(col(ReminderLetter.id))
            ).all()
            if letter_id is not None
        ]
    policy = policy_for(day, policy_path)
    created = 0
    for start in range(0, len(pending), BATCH):
        with session_scope(engine) as session:
            created += _draft_batch(session, pending[start : start + BATCH], day, policy)
    return created


def unfinished_runs(engine: Engine) -> list[int]:
    """Recorded runs with letters that have no outbound letter yet (drafting was cut off)."""
    with Session(engine) as session:
        query = (
            select(ReminderLetter.run_id)
            .join(ScheduledRun, col(ScheduledRun.id) == ReminderLetter.run_id)
            .where(col(ReminderLetter.outbound_letter_id).is_(None))
            .where(ScheduledRun.state == RunState.DONE.value)
            .distinct()
        )
        return sorted(run_id for run_id in session.exec(query).all() if run_id is not None)


def draft_unfinished(engine: Engine, policy_path: Path | None = None) -> dict[int, int]:
    """Finish drafting every recorded run that was cut off: {run id: letters created}."""
    return {
        run_id: draft_run_letters(engine, run_id, policy_path) for run_id in unfinished_runs(engine)
    }


def _draft_batch(session: Session, letter_ids: list[int], day: date, policy: Policy) -> int:
    register = SqlRegister(session)
    letters = session.exec(
        select(ReminderLetter).where(col(ReminderLetter.id).in_(letter_ids))
    ).all()
    links = session.exec(
        select(ReminderLetterClaim).where(col(ReminderLetterClaim.letter_id).in_(letter_ids))
    ).all()
    claims_of: dict[int, list[ReminderLetterClaim]] = {}
    for link in links:
        claims_of.setdefault(link.letter_id, []).append(link)
    created = 0
    for letter in letters:
        if letter.outbound_letter_id is not None or letter.id is None:
            continue
        debtor = register.debtor(letter.debtor_id)
        if debtor is None:
            continue
        rows = {claim.id: claim_row(claim) for claim in register.claims_of(letter.debtor_id)}
        named = sorted(claims_of.get(letter.id, []), key=lambda link: link.claim_id)
        claim_ids = [link.claim_id for link in named]
        data = LetterEntry(
            debtor_id=letter.debtor_id,
            claim_ids=claim_ids,
            kind=letter.kind,
            number=max((link.number for link in named), default=1),
            numbers={link.claim_id: link.number for link in named},
            fee_ore=letter.fee_ore,
            deadline=letter.deadline,
            transfer_notice=letter.transfer_notice,
            rules=None,
            legal_refs=None,
        )
        missed = _missed(session, claim_ids, day) if letter.kind == "breach_reminder" else None
        rendered = render_reminder(data, debtor, rows, policy, missed, today=day)
        outbound = outbound_letter(
            rendered,
            debtor_id=letter.debtor_id,
            run_id=letter.run_id,
            kind=letter.kind,
            state=(
                LetterState.APPROVED.value if letter.released_on else LetterState.NEEDS_REVIEW.value
            ),
            channel=postal_channel(debtor),
            policy_version=letter.policy_version,
            trace=LetterTrace(
                reminder_letter_id=letter.id,
                # the run stores its traces compactly; the letter's trace names them
                rules={cid: read_trace(t) for cid, t in letter.trace.items()}
                if letter.trace is not None
                else None,
            ).to_json(),
            approved_by="policy" if letter.released_on else None,
        )
        session.add(outbound)
        session.flush()
        # conditional: another process drafting the same run at the same time wins or loses
        # the letter as a whole, so no reminder letter ever gets two outbound letters
        taken = session.execute(
            update(ReminderLetter)
            .where(col(ReminderLetter.id) == letter.id)
            .where(col(ReminderLetter.outbound_letter_id).is_(None))
            .values(outbound_letter_id=outbound.id)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            session.delete(outbound)
            session.flush()
            continue
        created += 1
    if created:
        run_id = str(letters[0].run_id)
        record(
            session,
            "scheduler",
            "run.letters_drafted",
            "scheduled_run",
            run_id,
            {"letters": created},
        )
    return created
