"""Plain values the letter templates read: the office, the recipient, claim rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opkraevning.assistant.policy.model import Policy
from opkraevning.assistant.proposals.installments import OpenClaim
from opkraevning.domain.claim_types import danish_name
from opkraevning.domain.register import ClaimFacts, DebtorFacts

LINE_NAMES = {"fee": "Rykkergebyr", "interest": "Renter"}


@dataclass(frozen=True)
class ClaimRow:
    """One line in a letter: what it is, its invoice number, what is left to pay."""

    id: str
    claim_type: str
    type_name: str
    reference: str
    remaining_ore: int
    payment_id: str | None
    due_on: date
    status: str
    line: str = "principal"
    parent_claim_id: str | None = None


def claim_row(facts: ClaimFacts) -> ClaimRow:
    return ClaimRow(
        id=facts.id,
        claim_type=facts.claim_type,
        type_name=LINE_NAMES.get(facts.line) or danish_name(facts.claim_type),
        reference=facts.reference,
        remaining_ore=max(0, facts.remaining_ore),
        payment_id=facts.payment_id,
        due_on=facts.due_on,
        status=facts.status,
        line=facts.line,
        parent_claim_id=facts.parent_claim_id,
    )


def open_claim(row: ClaimRow) -> OpenClaim:
    return OpenClaim(
        id=row.id,
        claim_type=row.claim_type,
        reference=row.reference,
        remaining_ore=row.remaining_ore,
        status=row.status,
        payment_id=row.payment_id,
        due_on=row.due_on,
    )


def office(policy: Policy) -> dict[str, Any]:
    return policy.letters.model_dump()


def recipient(
    debtor: DebtorFacts | None, name: str | None = None, *, estate: bool = False
) -> dict[str, Any]:
    """Whom the letter greets: the registered debtor, else the name the writer gave. A
    letter to an estate is addressed to the estate ("Til dødsboet efter …"), never to the
    deceased by name."""
    if debtor is not None:
        return {"name": debtor.name, "kind": debtor.kind, "estate": estate}
    return {"name": (name or "").strip(), "kind": "person", "estate": False}


def journal_number(policy: Policy, debtor_id: str | None, case_ref: str | None = None) -> str:
    """Our case number on the letter: ``OPK-D1100022`` for a debtor's case, ``OPK-H17``
    for message 17 before anyone is identified (the prefix is policy)."""
    prefix = policy.letters.journal_prefix
    if debtor_id:
        return f"{prefix}-{debtor_id}"
    return f"{prefix}-H{case_ref}" if case_ref else f"{prefix}-ny"


def postal_channel(debtor: DebtorFacts) -> str:
    """How a letter naming the debtor's debts reaches them: Digital Post needs a CPR or
    CVR number; without one it is printed and posted."""
    return "digital_post" if (debtor.cpr or debtor.cvr) else "print"


def collected_by(rows: list[ClaimRow], policy: Policy) -> str:
    """Who collects these claims if an agreement breaks: ``gaeldsstyrelsen``, ``kommunen``
    (fortrinsberettigede krav are never transferred: the municipality collects them
    itself, gældsinddrivelsesloven § 1 a) or ``begge``."""
    own = {policy.claim_types[row.claim_type].fortrinsberettiget for row in rows}
    if own == {True}:
        return "kommunen"
    return "begge" if True in own else "gaeldsstyrelsen"
