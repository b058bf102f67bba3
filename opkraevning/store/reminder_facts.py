"""Reading the facts the reminder rules need, a chunk of debtors at a time.

Set-based queries per chunk (claims, paid sums, letters, holds, agreements, open fee
and interest lines), never one query per claim, and never the whole register in
memory: the run streams over debtors in id order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from opkraevning.assistant.reminder_rules import AgreementFact, ClaimFact, HoldFact, LetterFact
from opkraevning.store.models import (
    AgreementClaim,
    Claim,
    Debtor,
    Hold,
    Installment,
    InstallmentAgreement,
    Payment,
    ReminderLetter,
    ReminderLetterClaim,
)

T = {
    name: model.__table__  # type: ignore[attr-defined]
    for name, model in {
        "claim": Claim,
        "debtor": Debtor,
        "payment": Payment,
        "letter": ReminderLetter,
        "letter_claim": ReminderLetterClaim,
        "hold": Hold,
        "agreement": InstallmentAgreement,
        "agreement_claim": AgreementClaim,
        "installment": Installment,
    }.items()
}
CHUNK = 2000
ACTIVE = ("open", "in_agreement")


def debtor_chunks(connection: Connection, size: int = CHUNK) -> Iterator[list[str]]:
    """Debtor ids with active principal claims, in id order, ``size`` at a time."""
    claim = T["claim"]
    after = ""
    while True:
        ids = list(
            connection.scalars(
                select(claim.c.debtor_id)
                .where(
                    claim.c.status.in_(ACTIVE),
                    claim.c.line == "principal",
                    claim.c.debtor_id > after,
                )
                .group_by(claim.c.debtor_id)
                .order_by(claim.c.debtor_id)
                .limit(size)
            )
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


def load_facts(connection: Connection, debtor_ids: list[str]) -> dict[str, list[ClaimFact]]:
    claim, payment = T["claim"], T["payment"]
    paid: dict[str, int] = {
        claim_id: int(total)
        for claim_id, total in connection.execute(
            select(payment.c.claim_id, func.sum(payment.c.amount_ore))
            .join(claim, claim.c.id == payment.c.claim_id)
            .where(claim.c.debtor_id.in_(debtor_ids))
            .group_by(payment.c.claim_id)
        )
    }
    identity = {
        row.id: bool(row.cpr or row.cvr)
        for row in connection.execute(
            select(T["debtor"].c.id, T["debtor"].c.cpr, T["debtor"].c.cvr).where(
                T["debtor"].c.id.in_(debtor_ids)
            )
        )
    }
    lines: dict[str, dict[str, int]] = defaultdict(lambda: {"fee": 0, "interest": 0})
    fee_ids: dict[str, list[str]] = defaultdict(list)
    posted_until: dict[str, date] = {}
    facts: dict[str, list[ClaimFact]] = defaultdict(list)
    for row in connection.execute(
        select(claim).where(claim.c.debtor_id.in_(debtor_ids)).order_by(claim.c.id)
    ):
        if row.line != "principal":
            parent = row.parent_claim_id
            if row.status in ACTIVE:
                lines[parent][row.line] += row.amount_ore - int(paid.get(row.id, 0))
            if row.line == "fee":
                fee_ids[parent].append(row.id)
            if row.line == "interest":
                posted_until[parent] = max(posted_until.get(parent, row.due_on), row.due_on)
            continue
        if row.status not in ACTIVE:
            continue
        facts[row.debtor_id].append(
            ClaimFact(
                id=row.id,
                debtor_id=row.debtor_id,
                claim_type=row.claim_type,
                amount_ore=row.amount_ore,
                paid_ore=int(paid.get(row.id, 0)),
                due_on=row.due_on,
                status=row.status,
                has_identity=identity.get(row.debtor_id, False),
            )
        )
    by_id = {fact.id: fact for claims in facts.values() for fact in claims}
    for fact in by_id.values():
        fact.unpaid_fees_ore = max(0, lines[fact.id]["fee"])
        fact.unpaid_interest_ore = max(0, lines[fact.id]["interest"])
        fact.fee_claim_ids = fee_ids[fact.id]
        fact.interest_posted_until = posted_until.get(fact.id)
    ids = list(by_id)
    if not ids:
        return facts
    letter, letter_claim = T["letter"], T["letter_claim"]
    for row in connection.execute(
        select(
            letter_claim.c.claim_id,
            letter_claim.c.number,
            letter.c.released_on,
            letter.c.deadline,
            letter.c.fee_ore,
            letter.c.transfer_notice,
            letter.c.kind,
        )
        .join(letter, letter.c.id == letter_claim.c.letter_id)
        .where(letter_claim.c.claim_id.in_(ids), letter.c.released_on.is_not(None))
    ):
        by_id[row.claim_id].letters.append(
            LetterFact(
                row.number,
                row.released_on,
                row.deadline,
                row.fee_ore,
                row.transfer_notice,
                row.kind,
            )
        )
    hold = T["hold"]
    for row in connection.execute(select(hold).where(hold.c.debtor_id.in_(debtor_ids))):
        targets = [row.claim_id] if row.claim_id else [f.id for f in facts[row.debtor_id]]
        for claim_id in targets:
            if claim_id in by_id:
                if row.released_at is None:
                    by_id[claim_id].holds.append(HoldFact(row.reason, row.until))
                elif row.reason == "dispute":
                    by_id[claim_id].was_disputed = True
    agreement, link, installment = T["agreement"], T["agreement_claim"], T["installment"]
    next_due = (
        select(func.min(installment.c.due_on))
        .where(installment.c.agreement_id == agreement.c.id)
        .where(installment.c.paid_ore < installment.c.amount_ore)
        .scalar_subquery()
    )
    last_paid = (
        select(func.max(installment.c.paid_on))
        .where(installment.c.agreement_id == agreement.c.id)
        .scalar_subquery()
    )
    for row in connection.execute(
        select(
            link.c.claim_id,
            agreement.c.status,
            agreement.c.signed_at,
            next_due.label("next_due"),
            last_paid.label("last_paid"),
        )
        .join(agreement, agreement.c.id == link.c.agreement_id)
        .where(link.c.claim_id.in_(ids), agreement.c.status.in_(("active", "broken")))
    ):
        signed = row.signed_at.date() if row.signed_at else None
        by_id[row.claim_id].agreement = AgreementFact(
            row.status, signed, row.next_due, row.last_paid
        )
    return facts
