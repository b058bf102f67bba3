"""Read queries for pages and commands. They take a session and never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from opkraevning.store.models import Claim, ClaimStatus, Debtor, Payment

OPEN_STATUSES = (ClaimStatus.OPEN.value, ClaimStatus.IN_AGREEMENT.value)


@dataclass(frozen=True)
class DebtorRow:
    debtor: Debtor
    open_claims: int
    balance_ore: int


def count_rows(session: Session) -> dict[str, int]:
    return {
        "debtors": session.exec(select(func.count()).select_from(Debtor)).one(),
        "claims": session.exec(select(func.count()).select_from(Claim)).one(),
        "payments": session.exec(select(func.count()).select_from(Payment)).one(),
    }


def debtor_page(
    session: Session, *, search: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[DebtorRow], int]:
    """Debtors by id with their open claims and remaining balance; and the total count."""
    query = select(Debtor)
    if search:
        term = search.strip()
        like = f"%{term}%"
        digits = "".join(ch for ch in term if ch.isdigit())
        by_claim = select(Claim.debtor_id).where(
            or_(col(Claim.reference) == term, col(Claim.payment_id) == (digits or "-"))
        )
        query = query.where(
            or_(
                col(Debtor.id).ilike(like),
                col(Debtor.name).ilike(like),
                col(Debtor.address).ilike(like),
                col(Debtor.email).ilike(like),
                col(Debtor.cvr) == (digits or "-"),
                col(Debtor.cpr) == (digits if len(digits) == 10 else "-"),
                col(Debtor.id).in_(by_claim),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    debtors = session.exec(query.order_by(col(Debtor.id)).offset(offset).limit(limit)).all()
    ids = [debtor.id for debtor in debtors]
    # per claim, through the payment index (not a sum over every payment on each page view)
    paid = (
        select(func.coalesce(func.sum(Payment.amount_ore), 0))
        .where(col(Payment.claim_id) == col(Claim.id))
        .scalar_subquery()
    )
    sums = session.exec(
        select(Claim.debtor_id, func.count(), func.sum(Claim.amount_ore - paid))
        .where(col(Claim.debtor_id).in_(ids), col(Claim.status).in_(OPEN_STATUSES))
        .group_by(col(Claim.debtor_id))
    ).all()
    totals = {debtor_id: (count, int(balance or 0)) for debtor_id, count, balance in sums}
    rows = [DebtorRow(d, *totals.get(d.id, (0, 0))) for d in debtors]
    return rows, total
