"""Indexed look-ups in the register for the matcher: every question is one index probe.

No scan over all debtors: CPR, CVR, email, street key, betalings-ID and reference
each have an index, so a match costs the same with 300 debtors as with a million.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from opkraevning.domain.register import ClaimFacts, DebtorFacts
from opkraevning.store.models import Claim, Debtor, Payment


def _debtor(row: Debtor) -> DebtorFacts:
    return DebtorFacts(
        row.id, row.kind, row.name, row.address, row.postcode, row.city, row.email, row.cpr, row.cvr
    )


class SqlRegister:
    """The matcher's view of the register, over one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _debtors(self, condition: object, limit: int | None = 50) -> list[DebtorFacts]:
        """Debtors meeting ``condition``. A limit only where two already mean "ambiguous"."""
        query = select(Debtor).where(condition)  # type: ignore[arg-type]
        rows = self.session.exec(query.limit(limit) if limit else query).all()
        return [_debtor(row) for row in rows]

    def debtor(self, debtor_id: str) -> DebtorFacts | None:
        row = self.session.get(Debtor, debtor_id)
        return _debtor(row) if row else None

    def debtors_by_cpr(self, cpr: str) -> list[DebtorFacts]:
        return self._debtors(col(Debtor.cpr) == cpr)

    def debtors_by_cvr(self, cvr: str) -> list[DebtorFacts]:
        return self._debtors(col(Debtor.cvr) == cvr)

    def debtors_by_email(self, email: str) -> list[DebtorFacts]:
        return self._debtors(col(Debtor.email) == email.lower())

    def debtors_by_street(self, keys: Iterable[str]) -> list[DebtorFacts]:
        keys = sorted(set(keys))
        if not keys:
            return []
        # every candidate (cutting the list could drop the right debtor and keep a
        # namesake), read as plain rows: there can be hundreds at one address
        table = Debtor.__table__  # type: ignore[attr-defined]
        columns = [table.c[name] for name in DebtorFacts.__dataclass_fields__]
        rows = self.session.execute(core_select(*columns).where(table.c.street_key.in_(keys))).all()
        return [DebtorFacts(*row) for row in rows]

    def _claims(self, condition: object) -> list[ClaimFacts]:
        paid = (
            select(func.coalesce(func.sum(Payment.amount_ore), 0))
            .where(col(Payment.claim_id) == col(Claim.id))
            .scalar_subquery()
        )
        rows = self.session.exec(
            select(Claim, paid)
            .where(condition)  # type: ignore[arg-type]
            .order_by(col(Claim.due_on), col(Claim.id))
        ).all()
        return [
            ClaimFacts(
                claim.id,
                claim.debtor_id,
                claim.claim_type,
                claim.reference,
                claim.payment_id,
                claim.description,
                claim.amount_ore,
                int(paid_ore),
                claim.issued_on,
                claim.due_on,
                claim.status,
                claim.line,
                claim.parent_claim_id,
            )
            for claim, paid_ore in rows
        ]

    def claims_by_payment_ids(self, payment_ids: Iterable[str]) -> list[ClaimFacts]:
        ids = sorted(set(payment_ids))
        return self._claims(col(Claim.payment_id).in_(ids)) if ids else []

    def claims_by_references(self, references: Iterable[str]) -> list[ClaimFacts]:
        refs = sorted(set(references))
        return self._claims(col(Claim.reference).in_(refs)) if refs else []

    def claims_of(self, debtor_id: str) -> list[ClaimFacts]:
        return self._claims(col(Claim.debtor_id) == debtor_id)
