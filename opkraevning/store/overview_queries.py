"""The overview's figures as queries: one aggregate per pejlemærke, over the whole register.

Every query takes a session and a day and returns plain numbers; none commits. Amounts
are integer øre. "Outstanding" is a claim line's amount less what is paid on it; a line
is in arrears when it is open (or in an agreement), past its due date and not paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlmodel import Session, col

from opkraevning.store.models import (
    AgreementStatus,
    Claim,
    ClaimLine,
    ClaimStatus,
    InboundMessage,
    Installment,
    InstallmentAgreement,
    MessageState,
    OutboundLetter,
    Payment,
)

OWN_COLLECTION = (ClaimStatus.OPEN.value, ClaimStatus.IN_AGREEMENT.value)
AGE_BUCKETS = ((0, 30), (31, 90), (91, 365), (366, None))  # days past due, inclusive
WAITING = (
    MessageState.RECEIVED.value,
    MessageState.PARSED.value,
    MessageState.MATCHED.value,
    MessageState.CLASSIFIED.value,
    MessageState.DRAFTED.value,
    MessageState.NEEDS_REVIEW.value,
)


def _paid_per_claim(day: date) -> Any:
    return (
        select(col(Payment.claim_id), func.sum(Payment.amount_ore).label("paid"))
        .where(col(Payment.paid_on) <= day)
        .group_by(col(Payment.claim_id))
        .subquery()
    )


def arrears_lines(day: date) -> Select[Any]:
    """Claim lines in arrears on ``day``: id, type, due date, line, outstanding øre."""
    paid = _paid_per_claim(day)
    outstanding = (Claim.amount_ore - func.coalesce(paid.c.paid, 0)).label("outstanding")
    return (
        select(
            col(Claim.id),
            col(Claim.debtor_id),
            col(Claim.claim_type),
            col(Claim.line),
            col(Claim.due_on),
            outstanding,
        )
        .outerjoin(paid, paid.c.claim_id == Claim.id)
        .where(
            col(Claim.status).in_(OWN_COLLECTION),
            col(Claim.due_on) < day,
            Claim.amount_ore - func.coalesce(paid.c.paid, 0) > 0,
        )
    )


@dataclass(frozen=True)
class Arrears:
    total_ore: int
    lines: int
    by_type: dict[str, int]
    by_age: dict[str, int]  # "0-30", "31-90", "91-365", "366-" -> øre


def arrears(session: Session, day: date) -> Arrears:
    rows = arrears_lines(day).subquery()
    by_type = {
        str(kind): int(total)
        for kind, total in session.execute(
            select(rows.c.claim_type, func.sum(rows.c.outstanding)).group_by(rows.c.claim_type)
        )
    }
    buckets = []
    for low, high in AGE_BUCKETS:
        newest = day - timedelta(days=low)
        condition = rows.c.due_on <= newest
        if high is not None:
            condition = condition & (rows.c.due_on >= day - timedelta(days=high))
        buckets.append(func.sum(case((condition, rows.c.outstanding), else_=0)))
    totals = session.execute(
        select(func.count(), func.coalesce(func.sum(rows.c.outstanding), 0), *buckets)
    ).one()
    by_age = {
        f"{low}-{high if high is not None else ''}": int(value or 0)
        for (low, high), value in zip(AGE_BUCKETS, totals[2:], strict=True)
    }
    return Arrears(int(totals[1]), int(totals[0]), by_type, by_age)


def status_totals(
    session: Session, status: str, types: tuple[str, ...] | None = None
) -> tuple[int, int]:
    """Count of main claims with ``status`` and their amount (øre); optionally of ``types``."""
    query = select(func.count(), func.coalesce(func.sum(Claim.amount_ore), 0)).where(
        col(Claim.status) == status, col(Claim.line) == ClaimLine.PRINCIPAL.value
    )
    if types is not None:
        query = query.where(col(Claim.claim_type).in_(types))
    count, total = session.execute(query).one()
    return int(count), int(total)


def kept_preferential(session: Session, day: date, types: tuple[str, ...]) -> tuple[int, int]:
    """Main claims of the fortrinsberettigede types in arrears, kept in own collection."""
    rows = arrears_lines(day).subquery()
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(rows.c.outstanding), 0)).where(
            rows.c.line == ClaimLine.PRINCIPAL.value, rows.c.claim_type.in_(types)
        )
    ).one()
    return int(count), int(total)


@dataclass(frozen=True)
class Agreements:
    active: int
    in_good_standing: int
    broken: int
    paid_ore: int


def agreements(session: Session, day: date) -> Agreements:
    late = (
        select(col(Installment.agreement_id))
        .where(
            col(Installment.due_on) < day, col(Installment.paid_ore) < col(Installment.amount_ore)
        )
        .distinct()
    )
    counts: dict[str, int] = dict(
        session.execute(
            select(col(InstallmentAgreement.status), func.count()).group_by(
                col(InstallmentAgreement.status)
            )
        ).all()
    )
    behind = session.execute(
        select(func.count()).where(
            col(InstallmentAgreement.status) == AgreementStatus.ACTIVE.value,
            col(InstallmentAgreement.id).in_(late),
        )
    ).scalar_one()
    paid = session.execute(
        select(func.coalesce(func.sum(Installment.paid_ore), 0)).where(
            col(Installment.paid_on) <= day
        )
    ).scalar_one()
    active = int(counts.get(AgreementStatus.ACTIVE.value, 0))
    return Agreements(
        active, active - int(behind), int(counts.get(AgreementStatus.BROKEN.value, 0)), int(paid)
    )


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True)
class Mail:
    received: int
    answered: int
    answer_pairs: list[tuple[datetime, datetime]]
    waiting_now: int


def mail(session: Session, start: date, end: date) -> Mail:
    """Citizens' mail received in [start, end): how many, answered, and the answer times."""
    first_reply = (
        select(
            col(OutboundLetter.inbound_message_id), func.min(OutboundLetter.sent_at).label("sent")
        )
        .where(col(OutboundLetter.kind) == "reply", col(OutboundLetter.sent_at).is_not(None))
        .group_by(col(OutboundLetter.inbound_message_id))
        .subquery()
    )
    rows = session.execute(
        select(col(InboundMessage.received_at), first_reply.c.sent)
        .outerjoin(first_reply, first_reply.c.inbound_message_id == InboundMessage.id)
        .where(
            col(InboundMessage.received_at) >= _moment(start),
            col(InboundMessage.received_at) < _moment(end),
        )
    ).all()
    pairs = [(received, sent) for received, sent in rows if sent is not None]
    waiting = session.execute(
        select(func.count()).where(col(InboundMessage.state).in_(WAITING))
    ).scalar_one()
    return Mail(len(rows), len(pairs), pairs, int(waiting))


def letters(session: Session, start: date, end: date) -> dict[tuple[str, str], int]:
    """Letters sent in [start, end), by (kind, channel)."""
    return {
        (str(kind), str(channel)): int(count)
        for kind, channel, count in session.execute(
            select(col(OutboundLetter.kind), col(OutboundLetter.channel), func.count())
            .where(
                col(OutboundLetter.sent_at) >= _moment(start),
                col(OutboundLetter.sent_at) < _moment(end),
            )
            .group_by(col(OutboundLetter.kind), col(OutboundLetter.channel))
        )
    }


def fees_charged(session: Session, start: date, end: date) -> tuple[int, int]:
    """Fee lines issued in [start, end): count and amount (øre)."""
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Claim.amount_ore), 0)).where(
            col(Claim.line) == ClaimLine.FEE.value,
            col(Claim.issued_on) >= start,
            col(Claim.issued_on) < end,
        )
    ).one()
    return int(count), int(total)


# -- the daily snapshot ----------------------------------------------------------------


def save_snapshot(session: Session, day: date, figures: dict[str, Any], source: str) -> None:
    """One row per day: a re-run of the same day replaces the figures, never adds a row."""
    from opkraevning.store.models import DailyFigures
    from opkraevning.store.types import utcnow

    row = session.get(DailyFigures, day, with_for_update=True)
    if row is None:
        row = DailyFigures(day=day, figures=figures, source=source)
    elif row.source == "daily" and source == "backfill":
        return  # a real snapshot is never overwritten by a reconstruction
    else:
        row.figures, row.source, row.computed_at = figures, source, utcnow()
    session.add(row)
    session.flush()


def snapshot_days(session: Session) -> set[date]:
    from opkraevning.store.models import DailyFigures

    return set(session.execute(select(col(DailyFigures.day))).scalars())


def snapshots(session: Session) -> list[tuple[dict[str, Any], str]]:
    from opkraevning.store.models import DailyFigures

    return [
        (dict(figures or {}), str(source))
        for figures, source in session.execute(
            select(col(DailyFigures.figures), col(DailyFigures.source)).order_by(
                col(DailyFigures.day)
            )
        )
    ]


def earliest_due(session: Session) -> date | None:
    value = session.execute(select(func.min(Claim.due_on))).scalar()
    return value if isinstance(value, date) else None


# -- the lists behind the figures ------------------------------------------------------


def arrears_list(session: Session, day: date, limit: int | None = None) -> list[Any]:
    rows = arrears_lines(day).subquery()
    query = select(rows).order_by(rows.c.due_on, rows.c.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).all())


def claims_with_status(session: Session, status: str, limit: int | None = None) -> list[Any]:
    query = (
        select(
            col(Claim.id),
            col(Claim.debtor_id),
            col(Claim.claim_type),
            col(Claim.due_on),
            col(Claim.amount_ore),
        )
        .where(col(Claim.status) == status, col(Claim.line) == ClaimLine.PRINCIPAL.value)
        .order_by(col(Claim.due_on), col(Claim.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).all())


def agreement_list(session: Session, limit: int | None = None) -> list[Any]:
    paid = (
        select(col(Installment.agreement_id), func.sum(Installment.paid_ore).label("paid"))
        .group_by(col(Installment.agreement_id))
        .subquery()
    )
    query = (
        select(
            col(InstallmentAgreement.id),
            col(InstallmentAgreement.debtor_id),
            col(InstallmentAgreement.status),
            col(InstallmentAgreement.monthly_amount_ore),
            col(InstallmentAgreement.first_due_on),
            func.coalesce(paid.c.paid, 0),
        )
        .outerjoin(paid, paid.c.agreement_id == InstallmentAgreement.id)
        .where(
            col(InstallmentAgreement.status).in_(
                (AgreementStatus.ACTIVE.value, AgreementStatus.BROKEN.value)
            )
        )
        .order_by(col(InstallmentAgreement.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).all())


# -- afstemning: what the departments should correct in the register ----------------------


_CLAIM_COLUMNS = (col(Claim.id), col(Claim.debtor_id), col(Claim.claim_type), col(Claim.amount_ore))


def reconciliation(session: Session) -> list[tuple[str, str, str, str, int]]:
    """Problems in the register: (problem, claim, debtor, claim type, amount øre).

    Overpaid claims, paid claims still marked open, betalings-IDs and references used by
    more than one main claim, and claims in arrears whose debtor lacks what a transfer to
    Gældsstyrelsen needs (CPR or CVR, an address)."""
    from opkraevning.store.models import Debtor

    paid = _paid_all()
    principal = col(Claim.line) == ClaimLine.PRINCIPAL.value
    found: list[tuple[str, str, str, str, int]] = []
    rows = session.execute(
        select(*_CLAIM_COLUMNS, col(Claim.status), paid.c.paid)
        .join(paid, paid.c.claim_id == Claim.id)
        .where(principal, paid.c.paid >= Claim.amount_ore)
    )
    for claim_id, debtor_id, kind, amount_ore, status, paid_ore in rows:
        if paid_ore > amount_ore:
            found.append(
                ("betalt mere end kravet", claim_id, debtor_id, kind, int(paid_ore - amount_ore))
            )
        if status == ClaimStatus.OPEN.value:
            found.append(("betalt, men stadig åbent", claim_id, debtor_id, kind, int(amount_ore)))
    for column, problem in (
        (Claim.payment_id, "betalings-ID brugt flere gange"),
        (Claim.reference, "reference brugt flere gange"),
    ):
        twice = (
            select(col(column))
            .where(principal, col(column).is_not(None))
            .group_by(col(column))
            .having(func.count() > 1)
        )
        for claim_id, debtor_id, kind, amount_ore in session.execute(
            select(*_CLAIM_COLUMNS)
            .where(principal, col(column).in_(twice))
            .order_by(col(column), col(Claim.id))
        ):
            found.append((problem, claim_id, debtor_id, kind, int(amount_ore)))
    missing = (
        ((col(Debtor.kind) == "person") & col(Debtor.cpr).is_(None))
        | ((col(Debtor.kind) == "company") & col(Debtor.cvr).is_(None))
        | (col(Debtor.address) == "")
    )
    for claim_id, debtor_id, kind, amount_ore in session.execute(
        select(*_CLAIM_COLUMNS)
        .join(Debtor, col(Debtor.id) == Claim.debtor_id)
        .where(principal, col(Claim.status).in_(OWN_COLLECTION), missing)
        .order_by(col(Claim.id))
    ):
        found.append(
            (
                "kan ikke overdrages: skyldner mangler CPR/CVR eller adresse",
                claim_id,
                debtor_id,
                kind,
                int(amount_ore),
            )
        )
    return found


def _paid_all() -> Any:
    return (
        select(col(Payment.claim_id), func.sum(Payment.amount_ore).label("paid"))
        .group_by(col(Payment.claim_id))
        .subquery()
    )
