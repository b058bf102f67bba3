"""Reading the facts the reminder rules need, a chunk of debtors at a time.

Set-based queries per chunk (claims, paid sums, letters, holds, agreements, open fee
and interest lines), never one query per claim, and never the whole register in
memory: the run streams over debtors in id order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from opkraevning.domain.facts import AgreementFact, ClaimFact, HoldFact, LetterFact
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
    """Debtor ids in id order, ``size`` at a time, walking the debtor table's primary key.

    Every query is one short index range, so the whole walk is linear in the register.
    (Asking the claim table for "debtors with active claims" instead was planned from
    the status index with a sort, once per chunk: quadratic at a million claims.)
    Debtors without active claims cost an empty look-up in :func:`load_facts`.
    """
    debtor = T["debtor"]
    after = ""
    while True:
        ids = list(
            connection.scalars(
                select(debtor.c.id).where(debtor.c.id > after).order_by(debtor.c.id).limit(size)
            )
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


def one_of(connection: Connection, column: Any, values: list[str]) -> Any:
    """``column IN (values)``; on PostgreSQL ``= ANY(array)``: one parameter instead of
    thousands, so the driver does not parse a new query text for every chunk."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String), unique=True))
    return column.in_(values)


def load_facts(connection: Connection, debtor_ids: list[str]) -> dict[str, list[ClaimFact]]:
    """The facts of the given debtors (a chunk from :func:`debtor_chunks`, in id order).

    Debtor-keyed tables are read by id range (first..last of the chunk: one index range
    scan, and no SQL with thousands of bound values to build); rows of debtors between
    them that are not in the chunk are skipped here.
    """
    claim, payment, debtor = T["claim"], T["payment"], T["debtor"]
    wanted = set(debtor_ids)
    low, high = min(debtor_ids), max(debtor_ids)
    columns = [claim.c[name] for name in
               ("id", "debtor_id", "claim_type", "line", "parent_claim_id", "amount_ore",
                "due_on", "status", "udlaeg_on", "issued_on")]  # fmt: skip
    rows = connection.execute(
        select(*columns).where(claim.c.debtor_id.between(low, high)).order_by(claim.c.id)
    ).all()
    if connection.dialect.name == "postgresql":
        # by claim id through the payment index: a join on the debtor range is planned as
        # a hash join over every payment, once per chunk
        payments = select(payment.c.claim_id, func.sum(payment.c.amount_ore)).where(
            one_of(connection, payment.c.claim_id, [row[0] for row in rows])
        )
    else:
        payments = (
            select(payment.c.claim_id, func.sum(payment.c.amount_ore))
            .join(claim, claim.c.id == payment.c.claim_id)
            .where(claim.c.debtor_id.between(low, high))
        )
    paid: dict[str, int] = {
        claim_id: int(total)
        for claim_id, total in connection.execute(payments.group_by(payment.c.claim_id))
    }
    identity = {
        row.id: bool(row.cpr or row.cvr)
        for row in connection.execute(
            select(debtor.c.id, debtor.c.cpr, debtor.c.cvr).where(debtor.c.id.between(low, high))
        )
    }
    lines: dict[str, dict[str, int]] = defaultdict(lambda: {"fee": 0, "interest": 0})
    fee_ids: dict[str, list[str]] = defaultdict(list)
    posted_until: dict[str, date] = {}
    facts: dict[str, list[ClaimFact]] = defaultdict(list)
    for (
        claim_id,
        debtor_id,
        claim_type,
        line,
        parent,
        amount,
        due_on,
        status,
        udlaeg,
        issued,
    ) in rows:
        if debtor_id not in wanted:
            continue
        if line != "principal":
            if status in ACTIVE:
                lines[parent][line] += amount - paid.get(claim_id, 0)
            if line == "fee":
                fee_ids[parent].append(claim_id)
            elif line == "interest":
                posted_until[parent] = max(posted_until.get(parent, due_on), due_on)
            continue
        if status in ACTIVE:
            facts[debtor_id].append(
                ClaimFact(claim_id, debtor_id, claim_type, amount, paid.get(claim_id, 0),
                          due_on, status, has_identity=identity.get(debtor_id, False),
                          udlaeg_on=udlaeg, issued_on=issued)
            )  # fmt: skip
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
            letter.c.id,
        )
        .join(letter, letter.c.id == letter_claim.c.letter_id)
        .where(one_of(connection, letter_claim.c.claim_id, ids), letter.c.released_on.is_not(None))
    ):
        by_id[row.claim_id].letters.append(
            LetterFact(
                row.number,
                row.released_on,
                row.deadline,
                row.fee_ore,
                row.transfer_notice,
                row.kind,
                row.id,
            )
        )
    hold = T["hold"]
    for row in connection.execute(select(hold).where(hold.c.debtor_id.between(low, high))):
        if row.debtor_id not in wanted:
            continue
        targets = [row.claim_id] if row.claim_id else [f.id for f in facts.get(row.debtor_id, [])]
        for claim_id in targets:
            if claim_id in by_id:
                if row.released_at is None:
                    by_id[claim_id].holds.append(HoldFact(row.reason, row.until))
                elif row.reason == "dispute":
                    by_id[claim_id].was_disputed = True
    agreement, link, installment = T["agreement"], T["agreement_claim"], T["installment"]
    # Two index look-ups, no join: with thousands of ids in the IN list SQLite planned
    # the join from the agreements' status index and took seconds per chunk.
    pairs = connection.execute(
        select(link.c.claim_id, link.c.agreement_id).where(one_of(connection, link.c.claim_id, ids))
    ).all()
    agreements = (
        {
            row[0]: row[1:]
            for row in connection.execute(
                select(agreement.c.id, agreement.c.status, agreement.c.signed_at).where(
                    agreement.c.id.in_(sorted({pair[1] for pair in pairs}))
                )
            )
        }
        if pairs
        else {}
    )
    linked = [
        (claim_id, agreement_id, *agreements[agreement_id])
        for claim_id, agreement_id in pairs
        if agreement_id in agreements and agreements[agreement_id][0] in ("active", "broken")
    ]
    if linked:
        agreement_ids = sorted({row[1] for row in linked})
        next_due: dict[int, date] = dict(
            connection.execute(
                select(installment.c.agreement_id, func.min(installment.c.due_on))
                .where(installment.c.agreement_id.in_(agreement_ids))
                .where(installment.c.paid_ore < installment.c.amount_ore)
                .group_by(installment.c.agreement_id)
            ).all()
        )
        last_paid: dict[int, date] = dict(
            connection.execute(
                select(installment.c.agreement_id, func.max(installment.c.paid_on))
                .where(installment.c.agreement_id.in_(agreement_ids))
                .group_by(installment.c.agreement_id)
            ).all()
        )
        for claim_id, agreement_id, status, signed_at in linked:
            by_id[claim_id].agreement = AgreementFact(
                status,
                signed_at.date() if signed_at else None,
                next_due.get(agreement_id),
                last_paid.get(agreement_id),
            )
    return facts
